package io.ledgerlb.allocator.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;


/**
 * Empty pool lists and selectors mean all pools; empty node selectors mean all nodes; empty
 * service selectors mean all Services (MetalLB 0.16: only Services whose labels match one of them).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record L2AdvertisementSpec(List<String> ipAddressPools, List<LabelSelector> ipAddressPoolSelectors,
                                  List<LabelSelector> nodeSelectors, List<String> interfaces,
                                  List<LabelSelector> serviceSelectors) {
}
