package io.ledgerlb.speaker.bgp;

import io.ledgerlb.net.Community;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.net.LargeCommunity;
import java.util.List;
import java.util.Objects;

/**
 * A prefix to announce and its attributes. The next hop is the session's own address (IPv4 or
 * IPv6 matching the prefix's family), as routers expect from a load balancer node.
 *
 * @param prefix           an IPv4 or IPv6 prefix
 * @param localPref        LOCAL_PREF, sent on iBGP sessions only; null: {@link #DEFAULT_LOCAL_PREF}
 * @param communities      RFC 1997 communities
 * @param largeCommunities RFC 8092 large communities
 */
public record Advertisement(IpPrefix prefix, Long localPref, List<Community> communities,
                            List<LargeCommunity> largeCommunities) {

    /**
     * LOCAL_PREF of an advertisement that sets none. RFC 4271 §5.1.5: every UPDATE to an internal
     * peer carries it (FRR withdraws a route without it), so iBGP always gets a value.
     */
    public static final long DEFAULT_LOCAL_PREF = 100;

    public Advertisement {
        Objects.requireNonNull(prefix, "prefix");
        communities = List.copyOf(communities);
        largeCommunities = List.copyOf(largeCommunities);
    }

    /** The LOCAL_PREF an internal peer gets: the one set, else {@link #DEFAULT_LOCAL_PREF}. */
    public long ibgpLocalPref() {
        return localPref == null ? DEFAULT_LOCAL_PREF : localPref;
    }

    public static Advertisement of(IpPrefix prefix) {
        return new Advertisement(prefix, null, List.of(), List.of());
    }
}
