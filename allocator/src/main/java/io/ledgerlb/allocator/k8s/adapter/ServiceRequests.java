package io.ledgerlb.allocator.k8s.adapter;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.ledgerlb.allocator.core.IpFamilyPolicy;
import io.ledgerlb.allocator.core.Port;
import io.ledgerlb.allocator.core.ServiceRequest;
import io.ledgerlb.net.IpFamily;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** A Kubernetes Service as the pure allocation step reads it. */
public final class ServiceRequests {
    private ServiceRequests() {}

    public static ServiceRequest of(Service service, Map<String, String> namespaceLabels) {
        var meta = service.getMetadata();
        ServiceSpec spec = service.getSpec() == null ? new ServiceSpec() : service.getSpec();
        List<IpFamily> families = spec.getIpFamilies() == null ? List.of()
                : spec.getIpFamilies().stream().map(ServiceRequests::family).filter(Objects::nonNull).toList();
        IpFamilyPolicy policy;
        try {
            policy = IpFamilyPolicy.fromKubernetes(spec.getIpFamilyPolicy());
        } catch (IllegalArgumentException e) {
            policy = IpFamilyPolicy.SINGLE_STACK; // the API server validates this field; be lenient with the mock
        }
        List<Port> ports = spec.getPorts() == null ? List.of()
                : spec.getPorts().stream().filter(p -> p.getPort() != null)
                        .map(p -> new Port(p.getProtocol(), p.getPort())).toList();
        return ServiceRequest.builder(meta.getNamespace(), meta.getName())
                .uid(meta.getUid())
                .resourceVersion(meta.getResourceVersion())
                .loadBalancer("LoadBalancer".equals(spec.getType()))
                .loadBalancerClass(spec.getLoadBalancerClass())
                .annotations(meta.getAnnotations() == null ? Map.of() : meta.getAnnotations())
                .labels(meta.getLabels() == null ? Map.of() : meta.getLabels())
                .namespaceLabels(namespaceLabels)
                .ipFamilies(families)
                .ipFamilyPolicy(policy)
                .loadBalancerIp(spec.getLoadBalancerIP())
                .ports(ports)
                .trafficPolicyLocal("Local".equals(spec.getExternalTrafficPolicy()))
                .backendKey(spec.getSelector() == null ? "" : ServiceRequest.backendKeyOf(spec.getSelector()))
                .statusIps(statusIps(service))
                .build();
    }

    /** The IPs {@code status.loadBalancer.ingress} shows, in order. */
    public static List<String> statusIps(Service service) {
        if (service.getStatus() == null || service.getStatus().getLoadBalancer() == null
                || service.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        return service.getStatus().getLoadBalancer().getIngress().stream()
                .map(i -> i.getIp()).filter(ip -> ip != null && !ip.isBlank()).toList();
    }

    private static IpFamily family(String name) {
        try {
            return IpFamily.fromKubernetes(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
