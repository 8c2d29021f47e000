package io.ledgerlb.gobgp;

import io.ledgerlb.net.Community;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.net.LargeCommunity;
import java.util.List;
import java.util.Objects;

/**
 * A path the bridge wants in gobgpd's global RIB, one per prefix (gobgpd keeps one local path
 * per prefix: adding a prefix again replaces it).
 *
 * @param prefix           what to announce
 * @param nextHop          of the prefix's family; the unspecified address (0.0.0.0 or ::) lets
 *                         gobgpd put in its local address on each session ("next hop self")
 * @param origin           ORIGIN attribute
 * @param localPref        LOCAL_PREF, or null for none (gobgpd sends it on iBGP sessions only)
 * @param communities      RFC 1997 communities
 * @param largeCommunities RFC 8092 large communities
 */
public record DesiredPath(IpPrefix prefix, IpAddress nextHop, Origin origin, Long localPref,
                          List<Community> communities, List<LargeCommunity> largeCommunities) {

    public enum Origin { IGP, EGP, INCOMPLETE }

    private static final IpAddress UNSPECIFIED_V4 = IpAddress.parse("0.0.0.0");
    private static final IpAddress UNSPECIFIED_V6 = IpAddress.parse("::");

    public DesiredPath {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(nextHop, "nextHop");
        Objects.requireNonNull(origin, "origin");
        if (RouteFamily.of(nextHop) != RouteFamily.of(prefix)) {
            throw new IllegalArgumentException("next hop " + nextHop + " is not of " + prefix + "'s family");
        }
        if (localPref != null) {
            unsigned32(localPref, "local-pref");
        }
        communities = List.copyOf(communities);
        largeCommunities = List.copyOf(largeCommunities);
    }

    /** A path with no attributes beyond ORIGIN IGP and "next hop self". */
    public static DesiredPath of(IpPrefix prefix) {
        return new DesiredPath(prefix, unspecified(RouteFamily.of(prefix)), Origin.IGP, null, List.of(), List.of());
    }

    public static IpAddress unspecified(RouteFamily family) {
        return family == RouteFamily.IPV4_UNICAST ? UNSPECIFIED_V4 : UNSPECIFIED_V6;
    }

    public RouteFamily family() {
        return RouteFamily.of(prefix);
    }

    private static void unsigned32(long value, String what) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(what + " out of range 0..4294967295: " + value);
        }
    }
}
