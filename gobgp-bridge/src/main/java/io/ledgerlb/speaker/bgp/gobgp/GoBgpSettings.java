package io.ledgerlb.speaker.bgp.gobgp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How the speaker reaches its gobgpd and what it asks of it.
 *
 * @param gobgpdAddress gRPC target: "127.0.0.1:50051" (the sidecar's default) or "unix:///path"
 * @param ipv4NextHop   NEXT_HOP of IPv4 paths; empty (the default): gobgpd puts in its local
 *                      address on each session, i.e. the node's address toward that peer
 * @param ipv6NextHop   the same for IPv6 paths (MP_REACH_NLRI)
 * @param listenPort    gobgpd's BGP listening port; -1 (the default): gobgpd only connects out
 * @param listenAddresses the addresses gobgpd listens on; empty (the default): all
 * @param resync        how often the bridge compares gobgpd with what it should hold
 * @param sameNamespace gobgpd runs in the speaker's network namespace (the sidecar, or gobgpd run
 *                      by the speaker: the default), so the speaker can find the other family's
 *                      next hop on a session's interface; false: only the sessions' own family
 *                      (or the next hops given here)
 */
public record GoBgpSettings(String gobgpdAddress, Optional<InetAddress> ipv4NextHop, Optional<InetAddress> ipv6NextHop,
                            int listenPort, List<InetAddress> listenAddresses, Duration resync, boolean sameNamespace) {

    public static final String DEFAULT_ADDRESS = "127.0.0.1:50051";

    public GoBgpSettings {
        Objects.requireNonNull(gobgpdAddress, "gobgpdAddress");
        listenAddresses = List.copyOf(listenAddresses);
        if (ipv4NextHop.isPresent() && !(ipv4NextHop.get() instanceof Inet4Address)) {
            throw new IllegalArgumentException("the IPv4 next hop must be an IPv4 address: " + ipv4NextHop.get());
        }
        if (ipv6NextHop.isPresent() && !(ipv6NextHop.get() instanceof Inet6Address)) {
            throw new IllegalArgumentException("the IPv6 next hop must be an IPv6 address: " + ipv6NextHop.get());
        }
    }

    /** The sidecar at 127.0.0.1:50051, next hops derived per session, no listening, resync every 30 s. */
    public static GoBgpSettings defaults() {
        return at(DEFAULT_ADDRESS);
    }

    public static GoBgpSettings at(String gobgpdAddress) {
        return new GoBgpSettings(gobgpdAddress, Optional.empty(), Optional.empty(), -1, List.of(), Duration.ofSeconds(30), true);
    }

    public GoBgpSettings withResync(Duration every) {
        return new GoBgpSettings(gobgpdAddress, ipv4NextHop, ipv6NextHop, listenPort, listenAddresses, every, sameNamespace);
    }

    public GoBgpSettings withNextHops(Optional<InetAddress> ipv4, Optional<InetAddress> ipv6) {
        return new GoBgpSettings(gobgpdAddress, ipv4, ipv6, listenPort, listenAddresses, resync, sameNamespace);
    }

    /** For a gobgpd in another network namespace than the speaker's (tests): no next hop is looked up here. */
    public GoBgpSettings inOtherNamespace() {
        return new GoBgpSettings(gobgpdAddress, ipv4NextHop, ipv6NextHop, listenPort, listenAddresses, resync, false);
    }

    /**
     * gobgpd also accepts sessions on {@code port} at these addresses. Tests use it so that a peer
     * that dials spares them gobgpd 3.10's wait of 5 to 10 s before its own first connect.
     */
    public GoBgpSettings listeningOn(int port, List<InetAddress> addresses) {
        return new GoBgpSettings(gobgpdAddress, ipv4NextHop, ipv6NextHop, port, addresses, resync, sameNamespace);
    }
}
