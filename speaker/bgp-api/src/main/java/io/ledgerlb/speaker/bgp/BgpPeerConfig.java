package io.ledgerlb.speaker.bgp;

import io.ledgerlb.net.IpText;
import java.net.Inet6Address;
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
 * @param ttlSecurityHops GTSM (RFC 5082): how many hops away the peer may be; 0: no GTSM
 * @param dualStackAddressFamily MetalLB's field: the session carries both IP families (multiprotocol);
 *                        false (MetalLB's default): only the family of {@code peerAddress}
 */
public record BgpPeerConfig(String name, long myAsn, long peerAsn, InetAddress peerAddress, int peerPort,
                            Optional<InetAddress> sourceAddress, Duration holdTime, Duration keepaliveTime,
                            Duration connectTime, InetAddress routerId, boolean ebgpMultihop,
                            boolean gracefulRestart, Optional<String> password, int ttlSecurityHops,
                            boolean dualStackAddressFamily) {

    public BgpPeerConfig {
        if (ttlSecurityHops < 0 || ttlSecurityHops > 254) {
            throw new IllegalArgumentException("GTSM hops must be 0 (off) or 1 to 254, not " + ttlSecurityHops);
        }
    }

    /** Carrying both families (dualStackAddressFamily: true, not MetalLB's default: tests and benchmarks announce both). */
    public BgpPeerConfig(String name, long myAsn, long peerAsn, InetAddress peerAddress, int peerPort,
                         Optional<InetAddress> sourceAddress, Duration holdTime, Duration keepaliveTime,
                         Duration connectTime, InetAddress routerId, boolean ebgpMultihop,
                         boolean gracefulRestart, Optional<String> password, int ttlSecurityHops) {
        this(name, myAsn, peerAsn, peerAddress, peerPort, sourceAddress, holdTime, keepaliveTime, connectTime,
                routerId, ebgpMultihop, gracefulRestart, password, ttlSecurityHops, true);
    }

    /** Without GTSM, carrying both families (as the constructor above). */
    public BgpPeerConfig(String name, long myAsn, long peerAsn, InetAddress peerAddress, int peerPort,
                         Optional<InetAddress> sourceAddress, Duration holdTime, Duration keepaliveTime,
                         Duration connectTime, InetAddress routerId, boolean ebgpMultihop,
                         boolean gracefulRestart, Optional<String> password) {
        this(name, myAsn, peerAsn, peerAddress, peerPort, sourceAddress, holdTime, keepaliveTime, connectTime,
                routerId, ebgpMultihop, gracefulRestart, password, 0);
    }

    /** This peer with {@code dualStackAddressFamily} set as given. */
    public BgpPeerConfig withDualStackAddressFamily(boolean dualStack) {
        return new BgpPeerConfig(name, myAsn, peerAsn, peerAddress, peerPort, sourceAddress, holdTime, keepaliveTime,
                connectTime, routerId, ebgpMultihop, gracefulRestart, password, ttlSecurityHops, dualStack);
    }

    /** Whether this session carries prefixes of this family (IPv6 when {@code ipv6}). */
    public boolean carries(boolean ipv6) {
        return dualStackAddressFamily || (peerAddress instanceof Inet6Address) == ipv6;
    }

    public boolean ibgp() {
        return myAsn == peerAsn;
    }

    /**
     * The IP TTL (hop limit) of this session's packets: 1 for single-hop eBGP, so that the session
     * only comes up with a directly connected peer; 255 for iBGP, for {@code ebgpMultihop} and
     * with GTSM (which checks the TTL on receipt instead).
     */
    public int ipTtl() {
        return ibgp() || ebgpMultihop || ttlSecurityHops > 0 ? 255 : 1;
    }

    /** The lowest TTL (hop limit) accepted from the peer under GTSM: 256 − hops; 0: any. */
    public int minimumTtl() {
        return ttlSecurityHops == 0 ? 0 : 256 - ttlSecurityHops;
    }

    @Override
    public String toString() {
        return "BgpPeerConfig[" + name + " AS" + myAsn + "->AS" + peerAsn + " " + IpText.of(peerAddress)
                + ":" + peerPort + (password.isPresent() ? " md5" : "") + (ttlSecurityHops > 0 ? " gtsm" : "")
                + (dualStackAddressFamily ? " dual-stack" : "") + "]";
    }
}
