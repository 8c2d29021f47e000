package io.ledgerlb.allocator.k8s.crd;

/** Constants shared by the MetalLB custom resources. */
public final class MetalLb {
    public static final String GROUP = "metallb.io";
    public static final String V1BETA1 = "v1beta1";
    public static final String V1BETA2 = "v1beta2";

    private MetalLb() {
    }
}
