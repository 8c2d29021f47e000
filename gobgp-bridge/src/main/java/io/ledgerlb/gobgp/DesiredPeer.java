package io.ledgerlb.gobgp;

import io.ledgerlb.net.IpText;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A neighbor the bridge wants gobgpd to have.
 *
 * @param address         the neighbor's address (the peer's key in gobgpd)
 * @param peerAsn         the neighbor's AS
 * @param localAsn        our AS on this session; 0: gobgpd's global AS
 * @param port            the neighbor's TCP port; 0: 179
 * @param localAddress    the address to connect from; empty: the kernel's choice
 * @param holdTime        proposed hold time (whole seconds)
 * @param keepalive       keepalive interval (whole seconds)
 * @param connectRetry    connect-retry interval (whole seconds)
 * @param password        TCP MD5 password; empty: none
 * @param ebgpMultihopTtl TTL for eBGP multihop; 0: off
 * @param families        the families announced to it
 * @param gracefulRestart announce RFC 4724 graceful restart
 * @param ttlMin          GTSM (RFC 5082, gobgpd's ttl-security): send TTL 255 and accept only packets
 *                        whose TTL is at least this; 0: off. Exclusive with {@code ebgpMultihopTtl}
 */
public record DesiredPeer(InetAddress address, long peerAsn, long localAsn, int port, Optional<InetAddress> localAddress,
                          Duration holdTime, Duration keepalive, Duration connectRetry, Optional<String> password,
                          int ebgpMultihopTtl, Set<RouteFamily> families, boolean gracefulRestart, int ttlMin) {

    public DesiredPeer {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(localAddress, "localAddress");
        Objects.requireNonNull(password, "password");
        families = Set.copyOf(families);
        if (families.isEmpty()) {
            throw new IllegalArgumentException("peer " + IpText.of(address) + " needs at least one family");
        }
        if (ebgpMultihopTtl < 0 || ebgpMultihopTtl > 255) {
            throw new IllegalArgumentException("ebgp multihop TTL out of range 0..255: " + ebgpMultihopTtl);
        }
        if (ttlMin < 0 || ttlMin > 255 || (ttlMin > 0 && ebgpMultihopTtl > 0)) {
            throw new IllegalArgumentException("GTSM minimum TTL must be 0 (off) or 1..255 without eBGP multihop, not " + ttlMin);
        }
    }

    /** Without GTSM. */
    public DesiredPeer(InetAddress address, long peerAsn, long localAsn, int port, Optional<InetAddress> localAddress,
                       Duration holdTime, Duration keepalive, Duration connectRetry, Optional<String> password,
                       int ebgpMultihopTtl, Set<RouteFamily> families, boolean gracefulRestart) {
        this(address, peerAsn, localAsn, port, localAddress, holdTime, keepalive, connectRetry, password,
                ebgpMultihopTtl, families, gracefulRestart, 0);
    }

    /** A peer with the usual timers (90 s hold, 30 s keepalive, 5 s connect retry) and both families. */
    public static DesiredPeer of(InetAddress address, long peerAsn) {
        return new DesiredPeer(address, peerAsn, 0, 179, Optional.empty(), Duration.ofSeconds(90), Duration.ofSeconds(30),
                Duration.ofSeconds(5), Optional.empty(), 0, Set.of(RouteFamily.values()), false);
    }

    public DesiredPeer withPassword(String secret) {
        return new DesiredPeer(address, peerAsn, localAsn, port, localAddress, holdTime, keepalive, connectRetry,
                Optional.of(secret), ebgpMultihopTtl, families, gracefulRestart, ttlMin);
    }

    public DesiredPeer withFamilies(Set<RouteFamily> only) {
        return new DesiredPeer(address, peerAsn, localAsn, port, localAddress, holdTime, keepalive, connectRetry,
                password, ebgpMultihopTtl, only, gracefulRestart, ttlMin);
    }

    @Override
    public String toString() {
        return "DesiredPeer[" + IpText.of(address) + " AS" + peerAsn + (password.isPresent() ? " md5" : "")
                + (ttlMin > 0 ? " gtsm" : "") + "]";
    }
}
