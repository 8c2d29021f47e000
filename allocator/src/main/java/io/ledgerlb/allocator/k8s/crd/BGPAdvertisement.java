package io.ledgerlb.allocator.k8s.crd;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** {@code metallb.io/v1beta1 BGPAdvertisement}: how pools are announced over BGP. */
@Group(MetalLb.GROUP)
@Version(MetalLb.V1BETA1)
@Kind("BGPAdvertisement")
@Plural("bgpadvertisements")
@Singular("bgpadvertisement")
public class BGPAdvertisement extends CustomResource<BGPAdvertisementSpec, ConditionsStatus> implements Namespaced {
}
