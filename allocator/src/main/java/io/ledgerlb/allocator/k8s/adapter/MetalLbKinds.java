package io.ledgerlb.allocator.k8s.adapter;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.ledgerlb.events.v1.ConfigKind;

/** The MetalLB custom resources the allocator watches, unchanged from MetalLB. */
public enum MetalLbKinds {
    IP_ADDRESS_POOL("IPAddressPool", "ipaddresspools", "v1beta1", ConfigKind.POOL),
    L2_ADVERTISEMENT("L2Advertisement", "l2advertisements", "v1beta1", ConfigKind.L2_ADVERTISEMENT),
    BGP_ADVERTISEMENT("BGPAdvertisement", "bgpadvertisements", "v1beta1", ConfigKind.BGP_ADVERTISEMENT),
    COMMUNITY("Community", "communities", "v1beta1", ConfigKind.COMMUNITY),
    BFD_PROFILE("BFDProfile", "bfdprofiles", "v1beta1", ConfigKind.BFD_PROFILE),
    BGP_PEER("BGPPeer", "bgppeers", "v1beta2", ConfigKind.BGP_PEER);

    public static final String GROUP = "metallb.io";
    /** The order in which to define configuration: what others refer to first. */
    public static final java.util.List<MetalLbKinds> IN_DEPENDENCY_ORDER = java.util.List.of(COMMUNITY, BFD_PROFILE,
            IP_ADDRESS_POOL, L2_ADVERTISEMENT, BGP_ADVERTISEMENT, BGP_PEER);

    /** The kind of a MetalLB resource by its {@code kind} field, if it is one. */
    public static java.util.Optional<MetalLbKinds> ofKind(String kind) {
        return java.util.Arrays.stream(values()).filter(k -> k.kind.equals(kind)).findFirst();
    }

    private final String kind;
    private final String plural;
    private final String version;
    private final ConfigKind configKind;

    MetalLbKinds(String kind, String plural, String version, ConfigKind configKind) {
        this.kind = kind;
        this.plural = plural;
        this.version = version;
        this.configKind = configKind;
    }

    public String kind() {
        return kind;
    }

    public String apiVersion() {
        return GROUP + "/" + version;
    }

    public ConfigKind configKind() {
        return configKind;
    }

    /** Every kind as a custom resource definition context (e.g. for fabric8's CRUD mock server). */
    public static java.util.List<io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext> definitions() {
        return java.util.Arrays.stream(values())
                .map(k -> new io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext.Builder()
                        .withGroup(GROUP).withVersion(k.version).withKind(k.kind).withPlural(k.plural)
                        .withScope("Namespaced").build())
                .toList();
    }

    public ResourceDefinitionContext context() {
        return new ResourceDefinitionContext.Builder()
                .withGroup(GROUP).withVersion(version).withKind(kind).withPlural(plural).withNamespaced(true)
                .build();
    }
}
