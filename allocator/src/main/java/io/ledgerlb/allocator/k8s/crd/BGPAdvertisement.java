package io.ledgerlb.allocator.k8s.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** {@code metallb.io/v1beta1 BGPAdvertisement}: how pools are announced over BGP. */
@AdditionalPrinterColumn(name = "IPAddressPools", jsonPath = ".spec.ipAddressPools", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "IPAddressPool Selectors", jsonPath = ".spec.ipAddressPoolSelectors", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Peers", jsonPath = ".spec.peers", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Node Selectors", jsonPath = ".spec.nodeSelectors", type = AdditionalPrinterColumn.Type.STRING, priority = 10)
@Group(MetalLb.GROUP)
@Version(MetalLb.V1BETA1)
@Kind("BGPAdvertisement")
@Plural("bgpadvertisements")
@Singular("bgpadvertisement")
public class BGPAdvertisement extends CustomResource<BGPAdvertisementSpec, ConditionsStatus> implements Namespaced {
}
