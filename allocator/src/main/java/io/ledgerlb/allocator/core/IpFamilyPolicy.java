package io.ledgerlb.allocator.core;

/** A Service's {@code spec.ipFamilyPolicy}. */
public enum IpFamilyPolicy {
    SINGLE_STACK("SingleStack"),
    PREFER_DUAL_STACK("PreferDualStack"),
    REQUIRE_DUAL_STACK("RequireDualStack");

    private final String kubernetesName;

    IpFamilyPolicy(String kubernetesName) {
        this.kubernetesName = kubernetesName;
    }

    /** The policy named as Kubernetes names it; null or empty means SingleStack (the API default). */
    public static IpFamilyPolicy fromKubernetes(String name) {
        if (name == null || name.isEmpty()) {
            return SINGLE_STACK;
        }
        for (IpFamilyPolicy policy : values()) {
            if (policy.kubernetesName.equals(name)) {
                return policy;
            }
        }
        throw new IllegalArgumentException("unknown ipFamilyPolicy '" + name + "'");
    }

    @Override
    public String toString() {
        return kubernetesName;
    }
}
