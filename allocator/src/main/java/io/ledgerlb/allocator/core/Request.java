package io.ledgerlb.allocator.core;

import io.ledgerlb.allocator.core.ip.InvalidAddressException;
import io.ledgerlb.allocator.core.ip.IpAddress;
import io.ledgerlb.allocator.core.ip.IpFamily;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A Service's request, checked: the IPs it asks for, the pool, the sharing key, and the families it
 * wants in order (primary first).
 */
record Request(List<IpAddress> ips, String pool, String sharingKey, List<IpFamily> families,
               IpFamilyPolicy policy, List<Port> ports, List<String> warnings) {

    static Request of(ServiceRequest service) throws Refusal {
        ServiceAnnotations annotations = ServiceAnnotations.parse(service.annotations());
        List<IpAddress> ips = annotations.loadBalancerIps();
        if (service.loadBalancerIp() != null) {
            if (!ips.isEmpty()) {
                throw new Refusal("ConflictingRequest", "both the " + ServiceAnnotations.PREFIX
                        + ServiceAnnotations.LOAD_BALANCER_IPS + " annotation and spec.loadBalancerIP are set; use only the annotation");
            }
            try {
                ips = List.of(IpAddress.parse(service.loadBalancerIp()));
            } catch (InvalidAddressException e) {
                throw new Refusal("InvalidLoadBalancerIP", "spec.loadBalancerIP: " + e.getMessage());
            }
        }
        Set<IpFamily> families = new LinkedHashSet<>(service.ipFamilies());
        if (families.isEmpty()) {
            ips.forEach(ip -> families.add(ip.family()));
        }
        if (families.isEmpty()) {
            families.add(IpFamily.V4);
        }
        List<IpFamily> ordered = new ArrayList<>(families);
        switch (service.ipFamilyPolicy()) {
            case SINGLE_STACK -> ordered = List.of(ordered.get(0));
            case REQUIRE_DUAL_STACK -> {
                for (IpFamily family : IpFamily.values()) {
                    if (!ordered.contains(family)) {
                        ordered.add(family);
                    }
                }
            }
            case PREFER_DUAL_STACK -> { }
        }
        for (IpAddress ip : ips) {
            if (!ordered.contains(ip.family())) {
                throw new Refusal("IpFamilyMismatch", "requested IP " + ip + " is " + ip.family()
                        + " but the Service's ipFamilies are " + ordered + " (" + service.ipFamilyPolicy() + ")");
            }
        }
        if (!ips.isEmpty() && service.ipFamilyPolicy() == IpFamilyPolicy.REQUIRE_DUAL_STACK && ips.size() < 2) {
            throw new Refusal("IpFamilyMismatch", "RequireDualStack needs one IPv4 and one IPv6 address in "
                    + ServiceAnnotations.PREFIX + ServiceAnnotations.LOAD_BALANCER_IPS);
        }
        List<Port> ports = service.ports().stream().sorted().distinct().toList();
        return new Request(ips, annotations.pool(), annotations.sharingKey(), List.copyOf(ordered),
                service.ipFamilyPolicy(), ports, annotations.warnings());
    }

    /** The families this Service takes from a pool: empty when the pool cannot serve it. */
    List<IpFamily> familiesFrom(PoolSpec pool) {
        List<IpFamily> offered = families.stream().filter(pool::hasFamily).toList();
        return switch (policy) {
            case SINGLE_STACK, REQUIRE_DUAL_STACK -> offered.size() == families.size() ? families : List.of();
            case PREFER_DUAL_STACK -> offered;
        };
    }
}
