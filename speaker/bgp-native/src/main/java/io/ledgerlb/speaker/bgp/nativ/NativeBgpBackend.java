package io.ledgerlb.speaker.bgp.nativ;

import io.ledgerlb.net.IpText;
import io.ledgerlb.speaker.bgp.BgpBackend;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.BgpSession;
import io.ledgerlb.speaker.bgp.SessionListener;
import io.ledgerlb.speaker.bgp.fsm.FsmSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.ledgerlb.speaker.bgp.bfd.BfdEndpoint;
import io.ledgerlb.speaker.bgp.bfd.BfdPeer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
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
 * <p>A peer's password becomes a TCP MD5 key (RFC 2385) on its sockets, and the listener's, and
 * every session sets the IP TTL of its packets ({@link BgpPeerConfig#ipTtl}), through
 * {@link TcpOptions} (Linux).
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
    private BfdEndpoint bfd;

    public NativeBgpBackend(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public String name() {
        return "native";
    }

    @Override
    public BgpSession open(BgpPeerConfig peer, SessionListener listener) {
        return open(FsmSettings.active(peer), listener);
    }

    /** A session that never connects, only accepts (needs {@link #listen}). */
    public BgpSession openPassive(BgpPeerConfig peer, SessionListener listener) {
        return open(FsmSettings.active(peer).withPassive(true), listener);
    }

    /**
     * A session watched by BFD (RFC 5880/5881/5883): when BFD finds the path down, the BGP session
     * ends at once (CEASE, connection closed) and starts over, instead of waiting for its hold timer.
     *
     * @throws UncheckedIOException when BFD cannot start (its UDP port taken, no IPv6 socket)
     */
    public BgpSession open(BgpPeerConfig peer, SessionListener listener, BfdPeer bfdPeer) {
        return open(FsmSettings.active(peer), listener, bfdPeer);
    }

    public BgpSession open(FsmSettings settings, SessionListener listener, BfdPeer bfdPeer) {
        NativeSession session = (NativeSession) open(settings, listener);
        try {
            BfdEndpoint.Handle handle = bfd().add(bfdPeer, change -> {
                if (change.pathDown()) {
                    session.pathDown("session with " + IpText.of(change.peer().address()) + " down (" + change.diag() + ")");
                }
            });
            return new BfdWatchedSession(session, handle);
        } catch (IOException e) {
            session.close();
            throw new UncheckedIOException("cannot start BFD with " + IpText.of(bfdPeer.address()) + ": " + e.getMessage(), e);
        }
    }

    private synchronized BfdEndpoint bfd() {
        if (bfd == null) {
            bfd = new BfdEndpoint(registry);
        }
        return bfd;
    }

    /** Opens with explicit FSM settings (e.g. a shorter first connect retry). */
    public BgpSession open(FsmSettings settings, SessionListener listener) {
        BgpPeerConfig peer = settings.peer();
        SessionMetrics metrics = new SessionMetrics(registry, peer);
        NativeSession session = new NativeSession(settings, listener, metrics, s -> {
            sessions.remove(s);
            metrics.remove();
            listenerKey(peer, false);
        });
        sessions.add(session);
        listenerKey(peer, true);
        session.start();
        return session;
    }

    /** Accepts BGP connections on this address (usually port 179) and hands each to its peer's session. */
    public synchronized void listen(InetSocketAddress address) throws IOException {
        if (listener != null) {
            throw new IllegalStateException("already listening on " + listener.getLocalSocketAddress());
        }
        ServerSocket server = ServerSocketChannel.open().socket();
        server.setReuseAddress(true);
        server.bind(address);
        listener = server;
        sessions.forEach(s -> listenerKey(s.peer(), true));
        Thread acceptor = new Thread(() -> accept(server), "bgp-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The address the listener is bound to (its port when an ephemeral one was asked for). */
    public Optional<InetSocketAddress> listenAddress() {
        ServerSocket server = listener;
        return server == null ? Optional.empty() : Optional.of((InetSocketAddress) server.getLocalSocketAddress());
    }

    /**
     * Adds (or removes) a password peer's MD5 key on the listener: the kernel drops unsigned SYNs
     * from such a peer, and signs the accepted connection with the listener's key.
     */
    private synchronized void listenerKey(BgpPeerConfig peer, boolean add) {
        ServerSocket server = listener;
        if (server == null || server.isClosed() || peer.password().isEmpty()) {
            return;
        }
        try {
            byte[] key = add ? TcpOptions.key(peer.password().get()) : new byte[0];
            try {
                TcpOptions.md5(server.getChannel(), true, peer.peerAddress(), key);
            } catch (IOException dualStackFailed) {
                // the listener is AF_INET when the JVM runs without IPv6
                if (peer.peerAddress() instanceof Inet6Address) {
                    throw dualStackFailed;
                }
                TcpOptions.md5(server.getChannel(), false, peer.peerAddress(), key);
            }
        } catch (IOException | IllegalArgumentException e) {
            log.atWarn().addKeyValue("event", "listenerKeyFailed").addKeyValue("peer", peer.name())
                    .addKeyValue("reason", e.getMessage()).log("TCP MD5 key for {} not set on the listener", peer.name());
        }
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
                    log.atInfo().addKeyValue("event", "connectionRefused").addKeyValue("remote", IpText.of(socket.getInetAddress()))
                            .log("BGP connection from {} refused: not a configured peer", IpText.of(socket.getInetAddress()));
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
        ServerSocket server;
        synchronized (this) {
            // no key changes on the closed descriptor (its number may already belong to another socket)
            server = listener;
            listener = null;
        }
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
        synchronized (this) {
            if (bfd != null) {
                bfd.close();
                bfd = null;
            }
        }
    }
}
