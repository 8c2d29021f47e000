package io.ledgerlb.speaker.bgp.gobgp;

import io.ledgerlb.gobgp.DesiredPath;
import io.ledgerlb.gobgp.DesiredPeer;
import io.ledgerlb.gobgp.PeerSessionState;
import io.ledgerlb.gobgp.RouteFamily;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.SessionState;
import io.ledgerlb.speaker.bgp.NextHops;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** Pure translation from the speaker's BGP contract to the bridge's model. */
final class GoBgpMapping {

    /** TTL for eBGP multihop, as the native speaker's "more than one hop away" means. */
    static final int MULTIHOP_TTL = 255;
    /**
     * The most gobgpd waits between connection attempts. gobgpd makes its first attempt about 5 s
     * after a neighbor is added and then one every connect-retry interval: with MetalLB's 120 s
     * default, a first attempt that failed (the router still held the session of the backend this
     * peer left, or was not up yet) left the peer down for another 90 to 120 s. The native backend
     * retries after 1 s doubling up to connectTime; gobgpd cannot back off, so it gets the
     * smaller of connectTime and 5 s (gobgpd's own minimum).
     */
    static final Duration MAX_CONNECT_RETRY = Duration.ofSeconds(5);

    private GoBgpMapping() {
    }

    /**
     * @param globalAsn gobgpd's own AS; a peer with another local AS gets it as its session's local AS
     */
    static DesiredPeer peer(BgpPeerConfig peer, long globalAsn, NextHops pathNextHops) {
        return new DesiredPeer(peer.peerAddress(), peer.peerAsn(), peer.myAsn() == globalAsn ? 0 : peer.myAsn(), peer.peerPort(),
                peer.sourceAddress(), peer.holdTime(), peer.keepaliveTime(), connectRetry(peer.connectTime()), peer.password(),
                peer.ebgpMultihop() && peer.ttlSecurityHops() == 0 ? MULTIHOP_TTL : 0, families(peer, pathNextHops),
                peer.gracefulRestart(), peer.minimumTtl());
    }

    static Duration connectRetry(Duration connectTime) {
        return connectTime.compareTo(MAX_CONNECT_RETRY) < 0 ? connectTime : MAX_CONNECT_RETRY;
    }

    /**
     * The families a session carries: its own, and the other one only with
     * {@code dualStackAddressFamily} and when the paths carry an explicit next hop of it. gobgpd
     * fills in an unspecified next hop with the session's local address, which for the other
     * family is no usable next hop (IPv6 prefixes over an IPv4 session would get an IPv4-mapped
     * one: FRR never installs it, BIRD rejects it).
     */
    static Set<RouteFamily> families(BgpPeerConfig peer, NextHops pathNextHops) {
        RouteFamily own = RouteFamily.of(peer.peerAddress());
        boolean otherHasNextHop = own == RouteFamily.IPV4_UNICAST ? pathNextHops.ipv6().isPresent() : pathNextHops.ipv4().isPresent();
        return peer.dualStackAddressFamily() && otherHasNextHop ? EnumSet.allOf(RouteFamily.class) : EnumSet.of(own);
    }

    /**
     * @param pathNextHops explicit next hops of the paths per family; empty: unspecified, which
     *                     gobgpd replaces on each session with its local address
     *
     * LOCAL_PREF is always set (the advertisement's, else 100), as the native speaker sends it on
     * iBGP: gobgpd strips it from UPDATEs to external peers, so eBGP peers never see it.
     */
    static DesiredPath path(Advertisement advertisement, NextHops pathNextHops) {
        IpPrefix prefix = advertisement.prefix();
        Optional<IpAddress> explicit = RouteFamily.of(prefix) == RouteFamily.IPV4_UNICAST ? pathNextHops.ipv4() : pathNextHops.ipv6();
        IpAddress nextHop = explicit.orElse(DesiredPath.unspecified(RouteFamily.of(prefix)));
        return new DesiredPath(prefix, nextHop, DesiredPath.Origin.IGP, advertisement.ibgpLocalPref(), advertisement.communities(),
                advertisement.largeCommunities());
    }

    static SessionState state(PeerSessionState state) {
        return switch (state) {
            case UNREACHABLE, IDLE -> SessionState.IDLE;
            case CONNECT -> SessionState.CONNECT;
            case ACTIVE -> SessionState.ACTIVE;
            case OPEN_SENT -> SessionState.OPEN_SENT;
            case OPEN_CONFIRM -> SessionState.OPEN_CONFIRM;
            case ESTABLISHED -> SessionState.ESTABLISHED;
        };
    }
}
