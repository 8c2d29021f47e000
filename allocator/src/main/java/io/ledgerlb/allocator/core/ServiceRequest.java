package io.ledgerlb.allocator.core;

import io.ledgerlb.events.v1.ServiceRef;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.net.IpFamily;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What the allocator needs to know about a Service, as the Kubernetes adapter reads it.
 *
 * @param loadBalancer       {@code spec.type} is LoadBalancer
 * @param loadBalancerClass  {@code spec.loadBalancerClass}, or null
 * @param namespaceLabels    the labels of the Service's namespace (for namespaceSelectors)
 * @param ipFamilies         {@code spec.ipFamilies}, in order (the first is the primary family)
 * @param loadBalancerIp     the deprecated {@code spec.loadBalancerIP}, or null
 * @param trafficPolicyLocal {@code spec.externalTrafficPolicy} is Local
 * @param backendKey         the Service's selector rendered canonically ({@link #backendKeyOf})
 * @param statusIps          the IPs {@code status.loadBalancer.ingress} shows (adopted on first sight when valid)
 */
public record ServiceRequest(
        ServiceKey key,
        String uid,
        String resourceVersion,
        boolean loadBalancer,
        String loadBalancerClass,
        Map<String, String> annotations,
        Map<String, String> labels,
        Map<String, String> namespaceLabels,
        List<IpFamily> ipFamilies,
        IpFamilyPolicy ipFamilyPolicy,
        String loadBalancerIp,
        List<Port> ports,
        boolean trafficPolicyLocal,
        String backendKey,
        List<String> statusIps) {

    public ServiceRequest {
        Objects.requireNonNull(key, "key");
        uid = uid == null ? "" : uid;
        resourceVersion = resourceVersion == null ? "" : resourceVersion;
        annotations = Map.copyOf(annotations);
        labels = Map.copyOf(labels);
        namespaceLabels = Map.copyOf(namespaceLabels);
        ipFamilies = List.copyOf(ipFamilies);
        ipFamilyPolicy = ipFamilyPolicy == null ? IpFamilyPolicy.SINGLE_STACK : ipFamilyPolicy;
        loadBalancerIp = loadBalancerIp == null || loadBalancerIp.isBlank() ? null : loadBalancerIp.trim();
        ports = List.copyOf(ports);
        backendKey = backendKey == null ? "" : backendKey;
        statusIps = statusIps == null ? List.of() : List.copyOf(statusIps);
    }

    public ServiceRef ref() {
        return ServiceRef.newBuilder().setNamespace(key.namespace()).setName(key.name()).setUid(uid).build();
    }

    /** A Service's selector as one string, the same for equal selectors: {@code a=1,b=2}. */
    public static String backendKeyOf(Map<String, String> selector) {
        return new TreeMap<>(selector).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }

    public static Builder builder(String namespace, String name) {
        return new Builder(new ServiceKey(namespace, name));
    }

    public Builder toBuilder() {
        Builder b = new Builder(key);
        b.uid = uid;
        b.resourceVersion = resourceVersion;
        b.loadBalancer = loadBalancer;
        b.loadBalancerClass = loadBalancerClass;
        b.annotations = annotations;
        b.labels = labels;
        b.namespaceLabels = namespaceLabels;
        b.ipFamilies = ipFamilies;
        b.ipFamilyPolicy = ipFamilyPolicy;
        b.loadBalancerIp = loadBalancerIp;
        b.ports = ports;
        b.trafficPolicyLocal = trafficPolicyLocal;
        b.backendKey = backendKey;
        b.statusIps = statusIps;
        return b;
    }

    /** Starts as a type LoadBalancer Service with no class, IPv4 SingleStack, no ports. */
    public static final class Builder {
        private final ServiceKey key;
        private String uid = "";
        private String resourceVersion = "";
        private boolean loadBalancer = true;
        private String loadBalancerClass;
        private Map<String, String> annotations = Map.of();
        private Map<String, String> labels = Map.of();
        private Map<String, String> namespaceLabels = Map.of();
        private List<IpFamily> ipFamilies = List.of(IpFamily.V4);
        private IpFamilyPolicy ipFamilyPolicy = IpFamilyPolicy.SINGLE_STACK;
        private String loadBalancerIp;
        private List<Port> ports = List.of();
        private boolean trafficPolicyLocal;
        private String backendKey = "";
        private List<String> statusIps = List.of();

        private Builder(ServiceKey key) {
            this.key = key;
        }

        public Builder uid(String v) { uid = v; return this; }
        public Builder resourceVersion(String v) { resourceVersion = v; return this; }
        public Builder loadBalancer(boolean v) { loadBalancer = v; return this; }
        public Builder loadBalancerClass(String v) { loadBalancerClass = v; return this; }
        public Builder annotations(Map<String, String> v) { annotations = v; return this; }
        public Builder labels(Map<String, String> v) { labels = v; return this; }
        public Builder namespaceLabels(Map<String, String> v) { namespaceLabels = v; return this; }
        public Builder ipFamilies(IpFamily... v) { ipFamilies = List.of(v); return this; }
        public Builder ipFamilies(List<IpFamily> v) { ipFamilies = v; return this; }
        public Builder ipFamilyPolicy(IpFamilyPolicy v) { ipFamilyPolicy = v; return this; }
        public Builder loadBalancerIp(String v) { loadBalancerIp = v; return this; }
        public Builder ports(Port... v) { ports = List.of(v); return this; }
        public Builder ports(List<Port> v) { ports = v; return this; }
        public Builder trafficPolicyLocal(boolean v) { trafficPolicyLocal = v; return this; }
        public Builder backendKey(String v) { backendKey = v; return this; }
        public Builder statusIps(String... v) { statusIps = List.of(v); return this; }
        public Builder statusIps(List<String> v) { statusIps = v; return this; }

        public ServiceRequest build() {
            return new ServiceRequest(key, uid, resourceVersion, loadBalancer, loadBalancerClass, annotations,
                    labels, namespaceLabels, ipFamilies, ipFamilyPolicy, loadBalancerIp, ports,
                    trafficPolicyLocal, backendKey, statusIps);
        }
    }
}
