package io.ledgerlb.allocator.core;

import io.ledgerlb.net.InvalidAddressException;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpFamily;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.stream.Collectors;
import java.util.List;

/**
 * A Service's request, checked: the IPs it asks for, the pool, the sharing key, and the families it
 * wants in order (primary first).
 */
record Request(List<IpAddress> ips, String pool, String sharingKey, List<IpFamily> families,
               IpFamilyPolicy policy, List<Port> ports, List<String> warnings) {
    static final String CONFLICTING_REQUEST = "ConflictingRequest";
    static final String INVALID_LOAD_BALANCER_IP = "InvalidLoadBalancerIP";

    static Request of(ServiceRequest service) throws Refusal {
        ServiceAnnotations annotations = ServiceAnnotations.parse(service.annotations());
        List<IpAddress> ips = annotations.loadBalancerIps();
        if (service.loadBalancerIp() != null) {
            if (!ips.isEmpty()) {
                throw new Refusal(CONFLICTING_REQUEST, "both the " + annotations.ipsAnnotation()
                        + " annotation and spec.loadBalancerIP are set; use only the annotation");
            }
            try {
                ips = List.of(IpAddress.parse(service.loadBalancerIp()));
            } catch (InvalidAddressException e) {
                throw new Refusal(INVALID_LOAD_BALANCER_IP, "spec.loadBalancerIP: " + e.getMessage());
            }
        }
        List<IpFamily> ordered = new ArrayList<>(2);
        service.ipFamilies().forEach(family -> addOnce(ordered, family));
        if (ordered.isEmpty()) {
            ips.forEach(ip -> addOnce(ordered, ip.family()));
        }
        if (ordered.isEmpty()) {
            ordered.add(IpFamily.V4);
        }
        if (service.ipFamilyPolicy() == IpFamilyPolicy.SINGLE_STACK) {
            ordered.subList(1, ordered.size()).clear();
        } else if (service.ipFamilyPolicy() == IpFamilyPolicy.REQUIRE_DUAL_STACK) {
            // As MetalLB (which reads the families from clusterIPs): one family is a single-stack Service.
            // No families at all (a test double; the API server always fills them) still means both.
            if (service.ipFamilies().size() == 1) {
                throw new Refusal(Allocator.SINGLE_STACK_CLUSTER_IP, "ipFamilyPolicy is RequireDualStack but spec.ipFamilies has only "
                        + service.ipFamilies() + ": the Service's cluster IPs are single-stack, so it cannot have "
                        + "one address of each family");
            }
            addOnce(ordered, IpFamily.V4);
            addOnce(ordered, IpFamily.V6);
        }
        // As MetalLB: the requested IPs must be exactly the Service's families (a dual-stack Service,
        // PreferDualStack included, asks for one address of each).
        if (!ips.isEmpty() && !new HashSet<>(ordered).equals(ips.stream().map(IpAddress::family).collect(Collectors.toSet()))) {
            throw new Refusal("IpFamilyMismatch", "requested IPs " + ips + " do not match the Service's families "
                    + ordered + " (" + service.ipFamilyPolicy() + ")" + (ordered.size() == 2
                    ? "; a dual-stack Service needs one IPv4 and one IPv6 address in " + annotationOrSpec(annotations)
                    : ""));
        }
        List<Port> ports = portsOf(service);
        return new Request(ips, annotations.pool(), annotations.sharingKey(), List.copyOf(ordered),
                service.ipFamilyPolicy(), ports, annotations.warnings());
    }

    /** The Service's ports, sorted, each once. */
    static List<Port> portsOf(ServiceRequest service) {
        return service.ports().size() < 2 ? service.ports() : service.ports().stream().sorted().distinct().toList();
    }

    private static String annotationOrSpec(ServiceAnnotations annotations) {
        return annotations.ipsAnnotation() == null ? "spec.loadBalancerIP (which holds only one)" : annotations.ipsAnnotation();
    }

    private static void addOnce(List<IpFamily> families, IpFamily family) {
        if (!families.contains(family)) {
            families.add(family);
        }
    }

    /** The families this Service takes from a pool: empty when the pool cannot serve it. */
    List<IpFamily> familiesFrom(PoolSpec pool) {
        List<IpFamily> offered = new ArrayList<>(families.size());
        for (IpFamily family : families) {
            if (pool.hasFamily(family)) {
                offered.add(family);
            }
        }
        if (policy == IpFamilyPolicy.PREFER_DUAL_STACK || offered.size() == families.size()) {
            return offered;
        }
        return List.of();
    }
}
