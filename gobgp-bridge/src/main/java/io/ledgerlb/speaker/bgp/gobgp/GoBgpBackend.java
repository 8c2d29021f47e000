package io.ledgerlb.speaker.bgp.gobgp;

import io.ledgerlb.gobgp.Addresses;
import io.ledgerlb.gobgp.BgpGlobal;
import io.ledgerlb.gobgp.DesiredPath;
import io.ledgerlb.gobgp.GobgpBridge;
import io.ledgerlb.gobgp.GobgpClient;
import io.ledgerlb.gobgp.PeerSessionState;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpBackend;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.BgpSession;
import io.ledgerlb.speaker.bgp.SessionListener;
import io.ledgerlb.speaker.bgp.SessionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ledgerlb.speaker.bgp.NextHops;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * BGP through a GoBGP daemon (the speaker pod's sidecar): one {@link GobgpBridge} per speaker,
 * each {@link BgpSession} a gobgpd neighbor, and the paths of all sessions in gobgpd's global RIB.
 *
 * <p>Next hop: a path of a session's own family goes to gobgpd with the unspecified next hop
 * (0.0.0.0 or ::), which gobgpd replaces on each session with its local address — the node's
 * address toward the peer, as the native speaker does. The other family needs an explicit one
 * (gobgpd would put the IPv4 session address, IPv4-mapped, into an IPv6 path): as in the native
 * speaker, an address of that family on the interface that holds the session's local address
 * (the speaker shares the sidecar's network namespace, so it looks the interface up itself).
 * A session whose interface has none does not carry the other family, and neither does any
 * session while another session has that family as its own (gobgpd holds one path per prefix, so
 * an explicit next hop would replace "next hop self" on every session): then each family goes
 * over the sessions of its own. The first session's next hop (by peer name) serves all.
 * {@link GoBgpSettings} can fix the next hops instead.
 *
 * <p>gobgpd's global RIB holds one path per prefix and announces it to every neighbor whose
 * families match. So a prefix set on one session reaches all of them, and if two sessions set the
 * same prefix with different attributes, the session of the lowest peer name wins. gobgpd's own
 * AS and router id come from the first session opened.
 *
 * <p>{@link #close} leaves gobgpd as it is (its routes stay, like a graceful restart, and the next
 * speaker reconciles them); {@link BgpSession#close} deletes the neighbor (a CEASE) and withdraws
 * the prefixes no other session sets.
 */
public final class GoBgpBackend implements BgpBackend {

    private static final Logger log = LoggerFactory.getLogger(GoBgpBackend.class);

    private final GoBgpSettings settings;
    private final GobgpBridge bridge;
    private final Map<InetAddress, Session> sessions = new ConcurrentHashMap<>();

    public GoBgpBackend(GoBgpSettings settings) {
        this.settings = settings;
        this.bridge = new GobgpBridge(new GobgpClient(settings.gobgpdAddress(), Duration.ofSeconds(10)), null,
                new GobgpBridge.Listener() {
                    @Override
                    public void peerState(InetAddress peer, PeerSessionState state, String reason) {
                        Session session = sessions.get(peer);
                        if (session != null) {
                            session.reported(GoBgpMapping.state(state), reason, state == PeerSessionState.UNREACHABLE);
                        }
                    }
                }, settings.resync());
    }

    /** A backend driving the gobgpd at {@code gobgpdAddress} ("127.0.0.1:50051", "unix:///path") with default settings. */
    public static GoBgpBackend connect(String gobgpdAddress) {
        return new GoBgpBackend(GoBgpSettings.at(gobgpdAddress));
    }

    @Override
    public String name() {
        return "gobgp";
    }

    @Override
    public synchronized BgpSession open(BgpPeerConfig peer, SessionListener listener) {
        if (bridge.global().isEmpty()) {
            bridge.setGlobal(new BgpGlobal(peer.myAsn(), peer.routerId().getHostAddress(), settings.listenPort(),
                    settings.listenAddresses().stream().map(Addresses::text).toList()));
        }
        Session session = new Session(peer, listener);
        Session replaced = sessions.put(peer.peerAddress(), session);
        if (replaced != null) {
            log.info("{} replaces the session to {}", peer, replaced.peer);
        }
        pushPeers();
        return session;
    }

    /** The bridge beneath, for status and tests. */
    public GobgpBridge bridge() {
        return bridge;
    }

    private synchronized void pushPeers() {
        long globalAsn = bridge.global().orElseThrow().asn();
        NextHops pathNextHops = pathNextHops();
        bridge.setPeers(sessions.values().stream().map(s -> GoBgpMapping.peer(s.peer, globalAsn, pathNextHops)).toList());
        pushPaths();
    }

    private synchronized void pushPaths() {
        NextHops pathNextHops = pathNextHops();
        Map<IpPrefix, DesiredPath> union = new LinkedHashMap<>();
        sessions.values().stream().sorted(Comparator.comparing(s -> s.peer.name())).forEach(s -> s.advertisements.forEach(a -> {
            DesiredPath path = GoBgpMapping.path(a, pathNextHops);
            DesiredPath first = union.putIfAbsent(path.prefix(), path);
            if (first != null && !first.equals(path)) {
                log.warn("{} sets {} with other attributes than an earlier session; gobgpd holds one path per prefix, keeping the earlier",
                        s.peer, a.prefix());
            }
        }));
        bridge.setPaths(union.values());
    }

    /**
     * The explicit next hops of the paths: the settings', else, for a family that no session has as
     * its own, that family's address on the interface of a session of the other family (see the
     * class comment). A family some session has as its own keeps gobgpd's "next hop self": an
     * explicit one would replace it on that session too.
     */
    private NextHops pathNextHops() {
        Optional<Inet4Address> ipv4 = settings.ipv4NextHop().map(Inet4Address.class::cast)
                .or(() -> anySession(false) ? Optional.empty() : fromSessions(true, NextHops::ipv4));
        Optional<InetAddress> ipv6 = settings.ipv6NextHop()
                .or(() -> anySession(true) ? Optional.empty() : fromSessions(false, NextHops::ipv6));
        return new NextHops(ipv4, ipv6);
    }

    private boolean anySession(boolean ipv6) {
        return sessions.values().stream().anyMatch(s -> s.peer.peerAddress() instanceof Inet6Address == ipv6);
    }

    private <A> Optional<A> fromSessions(boolean ipv6Sessions, Function<NextHops, Optional<A>> hop) {
        return sessions.values().stream().filter(s -> s.peer.peerAddress() instanceof Inet6Address == ipv6Sessions)
                .sorted(Comparator.comparing(s -> s.peer.name())).map(s -> hop.apply(s.nextHops)).flatMap(Optional::stream).findFirst();
    }

    /** The session's next hops on this node: its source address, else the one the kernel picks toward the peer. */
    private static NextHops nextHopsToward(BgpPeerConfig peer) {
        Optional<InetAddress> local = peer.sourceAddress();
        if (local.isEmpty()) {
            try (DatagramSocket probe = new DatagramSocket()) {
                probe.connect(peer.peerAddress(), peer.peerPort()); // a route lookup; nothing is sent
                local = Optional.of(probe.getLocalAddress()).filter(a -> !a.isAnyLocalAddress());
            } catch (IOException | UncheckedIOException e) {
                log.warn("{}: no route to the peer from here ({}); the session carries only its own family", peer, e.getMessage());
            }
        }
        return local.map(NextHops::ofInterfaceWith).orElse(new NextHops(Optional.empty(), Optional.empty()));
    }

    @Override
    public void close() {
        bridge.close();
    }

    private final class Session implements BgpSession {
        private final BgpPeerConfig peer;
        private final SessionListener listener;
        private final NextHops nextHops;
        private volatile List<Advertisement> advertisements = List.of();
        private volatile SessionState state = SessionState.IDLE;

        Session(BgpPeerConfig peer, SessionListener listener) {
            this.peer = peer;
            this.listener = listener;
            this.nextHops = settings.sameNamespace() ? nextHopsToward(peer) : new NextHops(Optional.empty(), Optional.empty());
        }

        @Override
        public void set(Collection<Advertisement> wanted) {
            advertisements = List.copyOf(wanted);
            pushPaths();
        }

        @Override
        public SessionState state() {
            return state;
        }

        /** gobgpd's view of the neighbor; a lost session, or gobgpd itself out of reach, is a failure. */
        void reported(SessionState now, String reason, boolean gobgpdUnreachable) {
            SessionState before = state;
            state = now;
            if (before != now) {
                listener.stateChanged(peer, before, now, reason);
            }
            if (before.up() && !now.up() || gobgpdUnreachable) {
                listener.failed(peer, before.up(), reason);
            }
        }

        @Override
        public void close() {
            synchronized (GoBgpBackend.this) {
                if (sessions.remove(peer.peerAddress(), this)) {
                    pushPeers();
                }
            }
        }
    }
}
