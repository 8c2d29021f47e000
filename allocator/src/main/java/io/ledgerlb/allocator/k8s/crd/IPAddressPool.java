package io.ledgerlb.allocator.k8s.crd;

import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** {@code metallb.io/v1beta1 IPAddressPool}: addresses the allocator may hand out. */
@Group(MetalLb.GROUP)
@Version(MetalLb.V1BETA1)
@Kind("IPAddressPool")
@Plural("ipaddresspools")
@Singular("ipaddresspool")
public class IPAddressPool extends CustomResource<IPAddressPoolSpec, IPAddressPoolStatus> implements Namespaced {
    @Override
    @Required
    public IPAddressPoolSpec getSpec() {
        return super.getSpec();
    }
}
