package io.ledgerlb.speaker.bgp.gobgp;

import io.ledgerlb.gobgp.DesiredPath;
import io.ledgerlb.gobgp.DesiredPeer;
import io.ledgerlb.gobgp.PeerSessionState;
import io.ledgerlb.gobgp.Prefix;
import io.ledgerlb.gobgp.RouteFamily;
import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.SessionState;

import java.util.EnumSet;

/** Pure translation from the speaker's BGP contract to the bridge's model. */
final class GoBgpMapping {

    /** TTL for eBGP multihop, as the native speaker's "more than one hop away" means. */
    static final int MULTIHOP_TTL = 255;

    private GoBgpMapping() {
    }

    /**
     * @param globalAsn gobgpd's own AS; a peer with another local AS gets it as its session's local AS
     */
    static DesiredPeer peer(BgpPeerConfig peer, long globalAsn) {
        return new DesiredPeer(peer.peerAddress(), peer.peerAsn(), peer.myAsn() == globalAsn ? 0 : peer.myAsn(), peer.peerPort(),
                peer.sourceAddress(), peer.holdTime(), peer.keepaliveTime(), peer.connectTime(), peer.password(),
                peer.ebgpMultihop() ? MULTIHOP_TTL : 0, EnumSet.allOf(RouteFamily.class), peer.gracefulRestart());
    }

    static DesiredPath path(Advertisement advertisement, GoBgpSettings settings) {
        Prefix prefix = new Prefix(advertisement.prefix().address(), advertisement.prefix().length());
        var nextHop = (prefix.family() == RouteFamily.IPV4_UNICAST ? settings.ipv4NextHop() : settings.ipv6NextHop())
                .orElse(DesiredPath.unspecified(prefix.family()));
        return new DesiredPath(prefix, nextHop, DesiredPath.Origin.IGP, advertisement.localPref(), advertisement.communities(),
                advertisement.largeCommunities().stream()
                        .map(c -> new DesiredPath.Large(c.globalAdmin(), c.localData1(), c.localData2())).toList());
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
