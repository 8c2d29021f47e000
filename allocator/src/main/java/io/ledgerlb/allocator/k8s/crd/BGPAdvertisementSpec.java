package io.ledgerlb.allocator.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * @param aggregationLength   prefix length of the IPv4 route announced; default 32
 * @param aggregationLengthV6 prefix length of the IPv6 route announced; default 128
 * @param localPref           LOCAL_PREF for iBGP peers
 * @param communities         {@code 65000:100}, {@code large:65000:1:2}, or the name of a Community alias
 * @param peers               BGPPeer names to announce to; empty: all
 * @param serviceSelectors    only Services whose labels match one of these; empty: all. MetalLB's API
 *                            server refuses them together with an aggregation length other than 32/128
 */
@ValidationRule(value = "!has(self.serviceSelectors) || self.serviceSelectors.size() == 0 || "
        + "((!has(self.aggregationLength) || self.aggregationLength == 32) && "
        + "(!has(self.aggregationLengthV6) || self.aggregationLengthV6 == 128))",
        message = "serviceSelectors and aggregationLength are mutually exclusive, can only be used together "
                + "with default aggregationLength (32) and aggregationLengthV6 (128)")
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record BGPAdvertisementSpec(@Default("32") @Min(1) @SchemaFormat("int32") Integer aggregationLength,
                                   @Default("128") @SchemaFormat("int32") Integer aggregationLengthV6,
                                   @SchemaFormat("int32") Long localPref,
                                   List<String> communities, List<String> ipAddressPools,
                                   List<LabelSelector> ipAddressPoolSelectors, List<LabelSelector> nodeSelectors,
                                   List<String> peers, List<LabelSelector> serviceSelectors) {
}
