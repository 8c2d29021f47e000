package io.ledgerlb.allocator.k8s.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** {@code metallb.io/v1beta1 L2Advertisement}: which pools are announced by ARP/NDP, from which nodes. */
@AdditionalPrinterColumn(name = "IPAddressPools", jsonPath = ".spec.ipAddressPools", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "IPAddressPool Selectors", jsonPath = ".spec.ipAddressPoolSelectors", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Interfaces", jsonPath = ".spec.interfaces", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Node Selectors", jsonPath = ".spec.nodeSelectors", type = AdditionalPrinterColumn.Type.STRING, priority = 10)
@Group(MetalLb.GROUP)
@Version(MetalLb.V1BETA1)
@Kind("L2Advertisement")
@Plural("l2advertisements")
@Singular("l2advertisement")
public class L2Advertisement extends CustomResource<L2AdvertisementSpec, ConditionsStatus> implements Namespaced {
}
