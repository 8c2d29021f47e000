package io.ledgerlb.speaker.bgp.nativ;

import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.net.IpText;
import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.BgpSession;
import io.ledgerlb.speaker.bgp.SessionListener;
import io.ledgerlb.speaker.bgp.SessionState;
import io.ledgerlb.speaker.bgp.codec.BgpDecodeException;
import io.ledgerlb.speaker.bgp.fsm.BgpConnection;
import io.ledgerlb.speaker.bgp.fsm.BgpFsm;
import io.ledgerlb.speaker.bgp.fsm.FsmObserver;
import io.ledgerlb.speaker.bgp.fsm.FsmSettings;
import io.ledgerlb.speaker.bgp.fsm.SessionIo;
import io.ledgerlb.speaker.bgp.fsm.Timers;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One peering of the native speaker: the FSM runs on its own single thread; each connection has
 * a reader and a writer thread, so the FSM's thread (and its timers) never wait on the network.
 */
final class NativeSession implements BgpSession, SessionIo, SocketConnection.Sink {
    private static final Logger log = LoggerFactory.getLogger(NativeSession.class);
    private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final BgpPeerConfig peer;
    private final ScheduledExecutorService loop;
    private final BgpFsm fsm;
    private final Consumer<NativeSession> onClose;
    private final SessionMetrics metrics;
    private volatile SessionState state = SessionState.IDLE;

    NativeSession(FsmSettings settings, SessionListener listener, SessionMetrics metrics, Consumer<NativeSession> onClose) {
        this.peer = settings.peer();
        this.onClose = onClose;
        this.metrics = metrics;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "bgp-" + peer.name());
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.loop = executor;
        Timers timers = (delay, action) -> {
            var future = loop.schedule(action, delay.toNanos(), TimeUnit.NANOSECONDS);
            return () -> future.cancel(false);
        };
        FsmObserver observer = new FsmObserver() {
            @Override
            public void stateChanged(SessionState from, SessionState to, String reason) {
                state = to;
                metrics.sessionUp(to.up());
                log.atInfo().addKeyValue("event", "sessionStateChanged").addKeyValue("peer", peer.name())
                        .addKeyValue("peerAddress", IpText.of(peer.peerAddress()) + ":" + peer.peerPort())
                        .addKeyValue("from", from).addKeyValue("to", to).addKeyValue("reason", reason)
                        .log("BGP session {} {} -> {}", peer.name(), from, to);
                listener.stateChanged(peer, from, to, reason);
            }

            @Override
            public void failed(boolean wasEstablished, String cause) {
                listener.failed(peer, wasEstablished, cause);
            }

            @Override
            public void updatesSent(int count) {
                metrics.updatesSent(count);
            }

            @Override
            public void announced(int prefixes) {
                metrics.announced(prefixes);
            }

            @Override
            public void heldBack(int prefixes) {
                metrics.heldBack(prefixes);
            }
        };
        this.fsm = new BgpFsm(settings, this, timers, observer);
    }

    BgpPeerConfig peer() {
        return peer;
    }

    void start() {
        loop.execute(fsm::start);
    }

    /** An inbound connection from this peer's address. */
    void accepted(Socket socket) {
        try {
            ttl(socket.getChannel());
            SocketConnection connection = new SocketConnection(socket, true, metrics::queued);
            loop.execute(() -> {
                fsm.connected(connection);
                connection.start(peer.name(), this);
            });
        } catch (IOException e) {
            log.atWarn().addKeyValue("event", "connectionDropped").addKeyValue("peer", peer.name())
                    .addKeyValue("reason", e.getMessage()).log("BGP connection to {} dropped", peer.name());
            closeQuietly(socket);
        }
    }

    /** BFD says the path to the peer is down: the connection ends now (see {@link BgpFsm#pathDown}). */
    void pathDown(String reason) {
        post(() -> fsm.pathDown(reason), null);
    }

    @Override
    public void set(Collection<Advertisement> advertisements) {
        List<Advertisement> copy = List.copyOf(advertisements);
        loop.execute(() -> fsm.set(copy));
    }

    @Override
    public void change(java.util.Map<IpPrefix, java.util.Optional<Advertisement>> changes,
                       java.util.function.Supplier<Collection<Advertisement>> whole) {
        java.util.Map<IpPrefix, java.util.Optional<Advertisement>> copy = java.util.Map.copyOf(changes);
        loop.execute(() -> fsm.change(copy));
    }

    @Override
    public SessionState state() {
        return state;
    }

    @Override
    public void close() {
        shutdown(fsm::stop);
    }

    @Override
    public void handOver() {
        closeForRestart();
    }

    /** Ends without a NOTIFICATION when graceful restart is on, so the peer keeps the routes. */
    void closeForRestart() {
        shutdown(peer.gracefulRestart() ? fsm::stopForRestart : fsm::stop);
    }

    private void shutdown(Runnable stop) {
        if (loop.isShutdown()) {
            return;
        }
        try {
            loop.submit(stop).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("BGP session {} did not stop cleanly: {}", peer.name(), e.toString());
        } finally {
            loop.shutdownNow();
            onClose.accept(this);
        }
    }

    // ---- SessionIo, on the loop thread

    @Override
    public void connect() {
        Thread connector = new Thread(() -> {
            Socket socket;
            try {
                socket = outboundSocket();
            } catch (IOException e) {
                post(() -> fsm.connectFailed(e.getMessage()), null);
                return;
            }
            try {
                if (peer.sourceAddress().isPresent()) {
                    socket.bind(new InetSocketAddress(peer.sourceAddress().get(), 0));
                }
                Duration timeout = peer.connectTime() == null || peer.connectTime().isZero()
                        || peer.connectTime().compareTo(MAX_CONNECT_TIMEOUT) > 0 ? MAX_CONNECT_TIMEOUT : peer.connectTime();
                socket.connect(new InetSocketAddress(peer.peerAddress(), peer.peerPort()), (int) timeout.toMillis());
                SocketConnection connection = new SocketConnection(socket, false, metrics::queued);
                post(() -> {
                    fsm.connected(connection);
                    connection.start(peer.name(), this);
                }, socket);
            } catch (IOException e) {
                closeQuietly(socket);
                String hint = peer.password().isPresent() && e instanceof java.net.SocketTimeoutException
                        ? " (this session signs with TCP MD5: a router with another or no password drops our SYNs unanswered)" : "";
                post(() -> fsm.connectFailed(e + hint), null);
            }
        }, "bgp-connect-" + peer.name());
        connector.setDaemon(true);
        connector.start();
    }

    @Override
    public void send(BgpConnection connection, List<byte[]> messages) {
        ((SocketConnection) connection).send(messages);
    }

    @Override
    public void close(BgpConnection connection) {
        ((SocketConnection) connection).close();
    }

    // ---- SocketConnection.Sink, on reader threads

    @Override
    public void message(SocketConnection connection, byte[] message) {
        post(() -> fsm.received(connection, message), null);
    }

    @Override
    public void framingError(SocketConnection connection, BgpDecodeException error) {
        post(() -> fsm.framingError(connection, error), null);
    }

    @Override
    public void closed(SocketConnection connection, String reason) {
        post(() -> fsm.closed(connection, reason), null);
    }

    @Override
    public void writable(SocketConnection connection) {
        post(() -> fsm.writable(connection), null);
    }

    private void post(Runnable event, Socket orphan) {
        try {
            loop.execute(event);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            if (orphan != null) {
                closeQuietly(orphan); // the session was closed meanwhile
            }
        }
    }

    /**
     * A socket of the peer's address family with this session's TTL and, for a peer with a
     * password, its TCP MD5 key (both must be set before the SYN goes out).
     */
    private Socket outboundSocket() throws IOException {
        boolean ipv6 = peer.peerAddress() instanceof Inet6Address;
        SocketChannel channel = SocketChannel.open(ipv6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            ttl(channel);
            if (peer.password().isPresent()) {
                TcpOptions.md5(channel, ipv6, peer.peerAddress(), TcpOptions.key(peer.password().get()));
            }
        } catch (IOException | IllegalArgumentException e) {
            channel.close();
            throw new IOException("cannot set up the TCP socket for " + IpText.of(peer.peerAddress())
                    + ": " + e.getMessage(), e);
        }
        return channel.socket();
    }

    /** The session's TTL and, under GTSM, the lowest TTL it accepts. */
    private void ttl(java.nio.channels.Channel channel) throws IOException {
        TcpOptions.ttl(channel, peer.peerAddress(), peer.ipTtl());
        if (peer.minimumTtl() > 0) {
            TcpOptions.minimumTtl(channel, peer.peerAddress(), peer.minimumTtl());
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }

}
