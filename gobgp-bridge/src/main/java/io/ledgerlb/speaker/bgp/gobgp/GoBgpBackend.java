package io.ledgerlb.speaker.bgp.gobgp;

import io.ledgerlb.gobgp.BgpGlobal;
import io.ledgerlb.gobgp.DesiredPath;
import io.ledgerlb.gobgp.GobgpBridge;
import io.ledgerlb.gobgp.GobgpClient;
import io.ledgerlb.gobgp.PeerSessionState;
import io.ledgerlb.gobgp.Prefix;
import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpBackend;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.BgpSession;
import io.ledgerlb.speaker.bgp.SessionListener;
import io.ledgerlb.speaker.bgp.SessionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * BGP through a GoBGP daemon (the speaker pod's sidecar): one {@link GobgpBridge} per speaker,
 * each {@link BgpSession} a gobgpd neighbor, and the paths of all sessions in gobgpd's global RIB.
 *
 * <p>Next hop: by default every path goes to gobgpd with the unspecified next hop (0.0.0.0 or ::),
 * which gobgpd replaces on each session with its local address of that session — the node's
 * address toward the peer, as the native speaker does. {@link GoBgpSettings} can fix it instead.
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
            bridge.setGlobal(new BgpGlobal(peer.myAsn(), peer.routerId().getHostAddress(), settings.listenPort(), List.of()));
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
        bridge.setPeers(sessions.values().stream().map(s -> GoBgpMapping.peer(s.peer, globalAsn)).toList());
        pushPaths();
    }

    private synchronized void pushPaths() {
        Map<Prefix, DesiredPath> union = new LinkedHashMap<>();
        sessions.values().stream().sorted(Comparator.comparing(s -> s.peer.name())).forEach(s -> s.advertisements.forEach(a -> {
            DesiredPath path = GoBgpMapping.path(a, settings);
            DesiredPath first = union.putIfAbsent(path.prefix(), path);
            if (first != null && !first.equals(path)) {
                log.warn("{} sets {} with other attributes than an earlier session; gobgpd holds one path per prefix, keeping the earlier",
                        s.peer, a.prefix());
            }
        }));
        bridge.setPaths(union.values());
    }

    @Override
    public void close() {
        bridge.close();
    }

    private final class Session implements BgpSession {
        private final BgpPeerConfig peer;
        private final SessionListener listener;
        private volatile List<Advertisement> advertisements = List.of();
        private volatile SessionState state = SessionState.IDLE;

        Session(BgpPeerConfig peer, SessionListener listener) {
            this.peer = peer;
            this.listener = listener;
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
