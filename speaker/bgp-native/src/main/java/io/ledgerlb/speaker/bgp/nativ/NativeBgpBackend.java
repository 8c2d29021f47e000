package io.ledgerlb.speaker.bgp.nativ;

import io.ledgerlb.speaker.bgp.BgpBackend;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.BgpSession;
import io.ledgerlb.speaker.bgp.SessionListener;
import io.ledgerlb.speaker.bgp.fsm.FsmSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in Java BGP speaker. Each {@link #open} starts one session that connects to the peer
 * (with backoff); with {@link #listen} it also accepts connections from configured peers
 * (collisions are resolved per RFC 4271 §6.8), and {@link #openPassive} waits for the peer.
 *
 * <p>What plain Java sockets cannot do: TCP MD5 signatures (RFC 2385) — {@link #open} refuses a
 * peer with a password (use the GoBGP backend); and the IP TTL of a TCP socket, so eBGP sessions
 * go out with the kernel's default TTL (64) whether multihop or not.
 *
 * <p>{@link #close} is a speaker shutdown: sessions with graceful restart end without a
 * NOTIFICATION, so that the routers keep the routes until the speaker is back (RFC 4724);
 * {@link BgpSession#close} ends one session with a CEASE, and the peer withdraws its routes.
 */
public final class NativeBgpBackend implements BgpBackend {
    private static final Logger log = LoggerFactory.getLogger(NativeBgpBackend.class);

    private final MeterRegistry registry;
    private final List<NativeSession> sessions = new CopyOnWriteArrayList<>();
    private volatile ServerSocket listener;

    public NativeBgpBackend(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public String name() {
        return "native";
    }

    /** Thrown for a peer this backend cannot serve; the message says why and what to use instead. */
    public static final class UnsupportedPeerException extends IllegalArgumentException {
        public UnsupportedPeerException(String message) {
            super(message);
        }
    }

    @Override
    public BgpSession open(BgpPeerConfig peer, SessionListener listener) {
        return open(FsmSettings.active(peer), listener);
    }

    /** A session that never connects, only accepts (needs {@link #listen}). */
    public BgpSession openPassive(BgpPeerConfig peer, SessionListener listener) {
        return open(FsmSettings.active(peer).withPassive(true), listener);
    }

    /** Opens with explicit FSM settings (e.g. a shorter first connect retry). */
    public BgpSession open(FsmSettings settings, SessionListener listener) {
        BgpPeerConfig peer = settings.peer();
        if (peer.password().isPresent()) {
            throw new UnsupportedPeerException("BGP peer " + peer.name() + " has a password: TCP MD5 signatures "
                    + "(TCP_MD5SIG) cannot be set from Java sockets; use the gobgp backend for this peer");
        }
        SessionMetrics metrics = new SessionMetrics(registry, peer);
        NativeSession session = new NativeSession(settings, listener, metrics, s -> {
            sessions.remove(s);
            metrics.remove();
        });
        sessions.add(session);
        session.start();
        return session;
    }

    /** Accepts BGP connections on this address (usually port 179) and hands each to its peer's session. */
    public synchronized void listen(InetSocketAddress address) throws IOException {
        if (listener != null) {
            throw new IllegalStateException("already listening on " + listener.getLocalSocketAddress());
        }
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(address);
        listener = server;
        Thread acceptor = new Thread(() -> accept(server), "bgp-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The address the listener is bound to (its port when an ephemeral one was asked for). */
    public Optional<InetSocketAddress> listenAddress() {
        ServerSocket server = listener;
        return server == null ? Optional.empty() : Optional.of((InetSocketAddress) server.getLocalSocketAddress());
    }

    private void accept(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Optional<NativeSession> session = sessions.stream()
                        .filter(s -> s.peer().peerAddress().equals(socket.getInetAddress())).findFirst();
                if (session.isPresent()) {
                    session.get().accepted(socket);
                } else {
                    log.info("{\"event\":\"connectionRefused\",\"remote\":\"{}\",\"reason\":\"not a configured peer\"}",
                            socket.getInetAddress().getHostAddress());
                    socket.close();
                }
            } catch (IOException e) {
                if (!server.isClosed()) {
                    log.warn("BGP listener: {}", e.toString());
                }
            }
        }
    }

    @Override
    public void close() {
        ServerSocket server = listener;
        if (server != null) {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        for (NativeSession s : List.copyOf(sessions)) {
            s.closeForRestart();
        }
    }
}
