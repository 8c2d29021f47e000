package io.ledgerlb.allocator.core;

import io.ledgerlb.net.InvalidAddressException;
import io.ledgerlb.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The MetalLB annotations of a Service, parsed: {@code metallb.io/loadBalancerIPs},
 * {@code metallb.io/address-pool} and {@code metallb.io/allow-shared-ip}, or the same names
 * under the deprecated {@code metallb.universe.tf/} prefix. As in MetalLB, when both prefixes
 * carry a name the {@code metallb.io/} value wins, and every annotation under the deprecated
 * prefix gives a warning ({@code Service uses deprecated annotation <key>}, shown as MetalLB's
 * {@code deprecatedAnnotation} event).
 *
 * @param loadBalancerIps the requested IPs (at most one per family), empty when none
 * @param pool            the requested pool, or null
 * @param sharingKey      the allow-shared-ip key, or empty when the Service does not share
 * @param ipsAnnotation   the annotation the IPs were read from (either prefix), for messages; null when none
 * @param warnings        deprecation notes for the user
 */
public record ServiceAnnotations(List<IpAddress> loadBalancerIps, String pool, String sharingKey,
                                 String ipsAnnotation, List<String> warnings) {
    public static final String PREFIX = "metallb.io/";
    public static final String DEPRECATED_PREFIX = "metallb.universe.tf/";
    public static final String LOAD_BALANCER_IPS = "loadBalancerIPs";
    public static final String ADDRESS_POOL = "address-pool";
    public static final String ALLOW_SHARED_IP = "allow-shared-ip";
    static final String INVALID_ANNOTATION = "InvalidAnnotation";
    /** Written by the adapter on the Service; read by nobody here. */
    public static final String IP_ALLOCATED_FROM_POOL = "ip-allocated-from-pool";

    private static final ServiceAnnotations NONE = new ServiceAnnotations(List.of(), null, "", null, List.of());

    /** Reads the annotations; a value that makes no sense is refused with reason InvalidAnnotation. */
    static ServiceAnnotations parse(Map<String, String> annotations) throws Refusal {
        if (annotations.isEmpty()) {
            return NONE;
        }
        List<String> warnings = deprecationWarnings(annotations);
        String ipsName = nameUsed(annotations, LOAD_BALANCER_IPS);
        String ipsText = ipsName == null ? null : annotations.get(ipsName).trim();
        String poolName = nameUsed(annotations, ADDRESS_POOL);
        String pool = poolName == null ? null : annotations.get(poolName).trim();
        String sharingName = nameUsed(annotations, ALLOW_SHARED_IP);
        String sharingKey = sharingName == null ? null : annotations.get(sharingName).trim();
        if (pool != null && pool.isEmpty()) {
            throw invalid(poolName, "names no pool");
        }
        if (sharingKey != null && sharingKey.isEmpty()) {
            throw invalid(sharingName, "is empty");
        }
        List<IpAddress> ips = new ArrayList<>(2);
        if (ipsText != null) {
            for (String part : ipsText.split(",", -1)) {
                IpAddress ip;
                try {
                    ip = IpAddress.parse(part.trim());
                } catch (InvalidAddressException e) {
                    throw invalid(ipsName, "'" + ipsText + "' is not a comma-separated list of IPs: " + e.getMessage());
                }
                for (IpAddress earlier : ips) {
                    if (earlier.family() == ip.family()) {
                        throw invalid(ipsName, "'" + ipsText + "' asks for two " + ip.family()
                                + " addresses; give at most one IPv4 and one IPv6");
                    }
                }
                ips.add(ip);
            }
        }
        return new ServiceAnnotations(List.copyOf(ips), pool, sharingKey == null ? "" : sharingKey, ipsName, warnings);
    }

    /** The allow-shared-ip key (under either prefix, metallb.io/ first), read even when other annotations are invalid. */
    static String sharingKeyOf(Map<String, String> annotations) {
        String name = nameUsed(annotations, ALLOW_SHARED_IP);
        return name == null ? "" : annotations.get(name).trim();
    }

    /** MetalLB's warning for each annotation under the deprecated prefix, by name. */
    static List<String> deprecationWarnings(Map<String, String> annotations) {
        return annotations.keySet().stream().filter(k -> k.startsWith(DEPRECATED_PREFIX)).sorted()
                .map(k -> "Service uses deprecated annotation " + k).toList();
    }

    /** The annotation that carries {@code name}: under {@code metallb.io/} when set there, else the deprecated one; or null. */
    private static String nameUsed(Map<String, String> annotations, String name) {
        if (annotations.containsKey(PREFIX + name)) {
            return PREFIX + name;
        }
        return annotations.containsKey(DEPRECATED_PREFIX + name) ? DEPRECATED_PREFIX + name : null;
    }

    private static Refusal invalid(String annotation, String problem) {
        return new Refusal(INVALID_ANNOTATION, "annotation " + annotation + " " + problem);
    }
}
