package io.ledgerlb.allocator.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** The counts MetalLB ≥ 0.14 reports, plus ledgerlb's conditions (e.g. {@code Valid=False} for a bad pool). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record IPAddressPoolStatus(Long assignedIPv4, Long assignedIPv6, Long availableIPv4, Long availableIPv6,
                                  List<Condition> conditions) {
}
