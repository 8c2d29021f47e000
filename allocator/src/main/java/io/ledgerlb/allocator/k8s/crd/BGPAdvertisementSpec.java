package io.ledgerlb.allocator.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

/**
 * @param aggregationLength   prefix length of the IPv4 route announced; default 32
 * @param aggregationLengthV6 prefix length of the IPv6 route announced; default 128
 * @param localPref           LOCAL_PREF for iBGP peers
 * @param communities         {@code 65000:100}, {@code large:65000:1:2}, or the name of a Community alias
 * @param peers               BGPPeer names to announce to; empty: all
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record BGPAdvertisementSpec(Integer aggregationLength, Integer aggregationLengthV6, Long localPref,
                                   List<String> communities, List<String> ipAddressPools,
                                   List<LabelSelector> ipAddressPoolSelectors, List<LabelSelector> nodeSelectors,
                                   List<String> peers) {
}
