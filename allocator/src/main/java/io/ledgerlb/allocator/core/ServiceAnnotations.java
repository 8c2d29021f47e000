package io.ledgerlb.allocator.core;

import io.ledgerlb.allocator.core.ip.InvalidAddressException;
import io.ledgerlb.allocator.core.ip.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The MetalLB annotations of a Service, parsed: {@code metallb.io/loadBalancerIPs},
 * {@code metallb.io/address-pool} and {@code metallb.io/allow-shared-ip}, or the same names
 * under the deprecated {@code metallb.universe.tf/} prefix (which adds a warning).
 *
 * @param loadBalancerIps the requested IPs (at most one per family), empty when none
 * @param pool            the requested pool, or null
 * @param sharingKey      the allow-shared-ip key, or empty when the Service does not share
 * @param warnings        deprecation notes for the user
 */
public record ServiceAnnotations(List<IpAddress> loadBalancerIps, String pool, String sharingKey, List<String> warnings) {
    public static final String PREFIX = "metallb.io/";
    public static final String DEPRECATED_PREFIX = "metallb.universe.tf/";
    public static final String LOAD_BALANCER_IPS = "loadBalancerIPs";
    public static final String ADDRESS_POOL = "address-pool";
    public static final String ALLOW_SHARED_IP = "allow-shared-ip";
    /** Written by the adapter on the Service; read by nobody here. */
    public static final String IP_ALLOCATED_FROM_POOL = "ip-allocated-from-pool";

    private static final ServiceAnnotations NONE = new ServiceAnnotations(List.of(), null, "", List.of());

    /** Reads the annotations; a value that makes no sense is refused with reason InvalidAnnotation. */
    static ServiceAnnotations parse(Map<String, String> annotations) throws Refusal {
        List<String> warnings = new ArrayList<>();
        if (annotations.isEmpty()) {
            return NONE;
        }
        String ipsText = value(annotations, LOAD_BALANCER_IPS, warnings);
        String pool = value(annotations, ADDRESS_POOL, warnings);
        String sharingKey = value(annotations, ALLOW_SHARED_IP, warnings);
        if (pool != null && pool.isEmpty()) {
            throw invalid(ADDRESS_POOL, "names no pool");
        }
        if (sharingKey != null && sharingKey.isEmpty()) {
            throw invalid(ALLOW_SHARED_IP, "is empty");
        }
        List<IpAddress> ips = new ArrayList<>(2);
        if (ipsText != null) {
            for (String part : ipsText.split(",", -1)) {
                IpAddress ip;
                try {
                    ip = IpAddress.parse(part.trim());
                } catch (InvalidAddressException e) {
                    throw invalid(LOAD_BALANCER_IPS, "'" + ipsText + "' is not a comma-separated list of IPs: " + e.getMessage());
                }
                for (IpAddress earlier : ips) {
                    if (earlier.family() == ip.family()) {
                        throw invalid(LOAD_BALANCER_IPS, "'" + ipsText + "' asks for two " + ip.family()
                                + " addresses; give at most one IPv4 and one IPv6");
                    }
                }
                ips.add(ip);
            }
        }
        return new ServiceAnnotations(List.copyOf(ips), pool, sharingKey == null ? "" : sharingKey, List.copyOf(warnings));
    }

    /** The value under either prefix (trimmed), or null; both prefixes with different values is an error. */
    private static String value(Map<String, String> annotations, String name, List<String> warnings) throws Refusal {
        String current = annotations.get(PREFIX + name);
        String deprecated = annotations.get(DEPRECATED_PREFIX + name);
        if (deprecated == null) {
            return current == null ? null : current.trim();
        }
        if (current != null && !current.trim().equals(deprecated.trim())) {
            throw invalid(name, "is set to '" + current + "' and, under the deprecated prefix " + DEPRECATED_PREFIX
                    + ", to '" + deprecated + "'");
        }
        warnings.add("annotation " + DEPRECATED_PREFIX + name + " is deprecated; use " + PREFIX + name);
        return deprecated.trim();
    }

    private static Refusal invalid(String name, String problem) {
        return new Refusal("InvalidAnnotation", "annotation " + PREFIX + name + " " + problem);
    }
}
