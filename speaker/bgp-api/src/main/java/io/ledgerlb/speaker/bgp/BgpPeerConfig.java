package io.ledgerlb.speaker.bgp;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * One peer as this node sees it (from a BGPPeer object whose node selectors match this node).
 *
 * @param name            the BGPPeer's name
 * @param myAsn           local AS (4-octet)
 * @param peerAsn         the peer's AS; equal to myAsn for iBGP
 * @param peerAddress     the peer's address
 * @param peerPort        TCP port, usually 179
 * @param sourceAddress   local address to connect from; empty: the kernel's choice
 * @param holdTime        proposed hold time; zero: no keepalives
 * @param keepaliveTime   keepalive interval; by default a third of the hold time
 * @param connectTime     connect-retry interval
 * @param routerId        BGP identifier (IPv4 address)
 * @param ebgpMultihop    allow an eBGP peer more than one hop away (TTL 255 instead of 1)
 * @param gracefulRestart announce RFC 4724 graceful restart
 * @param password        TCP MD5 password, already read from its Secret; empty: none
 */
public record BgpPeerConfig(String name, long myAsn, long peerAsn, InetAddress peerAddress, int peerPort,
                            Optional<InetAddress> sourceAddress, Duration holdTime, Duration keepaliveTime,
                            Duration connectTime, InetAddress routerId, boolean ebgpMultihop,
                            boolean gracefulRestart, Optional<String> password) {

    public boolean ibgp() {
        return myAsn == peerAsn;
    }

    /**
     * The IP TTL (hop limit) of this session's packets: 1 for single-hop eBGP, so that the session
     * only comes up with a directly connected peer; 255 for iBGP and for {@code ebgpMultihop}.
     */
    public int ipTtl() {
        return ibgp() || ebgpMultihop ? 255 : 1;
    }

    @Override
    public String toString() {
        return "BgpPeerConfig[" + name + " AS" + myAsn + "->AS" + peerAsn + " " + peerAddress.getHostAddress()
                + ":" + peerPort + (password.isPresent() ? " md5" : "") + "]";
    }
}
