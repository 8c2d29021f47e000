package io.ledgerlb.allocator.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/** The counts MetalLB ≥ 0.14 reports, plus ledgerlb's conditions (e.g. {@code Valid=False} for a bad pool). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record IPAddressPoolStatus(@Required @SchemaFormat("int64") Long assignedIPv4,
                                  @Required @SchemaFormat("int64") Long assignedIPv6,
                                  @Required @SchemaFormat("int64") Long availableIPv4,
                                  @Required @SchemaFormat("int64") Long availableIPv6,
                                  List<Condition> conditions) {
}
