package io.ledgerlb.net;

/** An address family, named as Kubernetes names it in {@code spec.ipFamilies}. */
public enum IpFamily {
    V4("IPv4", 32),
    V6("IPv6", 128);

    private final String kubernetesName;
    private final int bits;

    IpFamily(String kubernetesName, int bits) {
        this.kubernetesName = kubernetesName;
        this.bits = bits;
    }

    public String kubernetesName() {
        return kubernetesName;
    }

    public int bits() {
        return bits;
    }

    /** {@code IPv4} or {@code IPv6}, as in a Service's {@code spec.ipFamilies}. */
    public static IpFamily fromKubernetes(String name) {
        for (IpFamily family : values()) {
            if (family.kubernetesName.equalsIgnoreCase(name)) {
                return family;
            }
        }
        throw new IllegalArgumentException("unknown IP family '" + name + "' (expected IPv4 or IPv6)");
    }

    @Override
    public String toString() {
        return kubernetesName;
    }
}
