package io.ledgerlb.allocator.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

/** An IPAddressPool's preference for some Services: lower priority numbers are tried first. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ServiceAllocation(Integer priority, List<String> namespaces, List<LabelSelector> namespaceSelectors,
                                List<LabelSelector> serviceSelectors) {
}
