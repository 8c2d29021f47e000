package io.ledgerlb.allocator.k8s.crd;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** {@code metallb.io/v1beta1 Community}: names for BGP community values, used by BGPAdvertisements. */
@Group(MetalLb.GROUP)
@Version(MetalLb.V1BETA1)
@Kind("Community")
@Plural("communities")
@Singular("community")
public class Community extends CustomResource<CommunitySpec, ConditionsStatus> implements Namespaced {
}
