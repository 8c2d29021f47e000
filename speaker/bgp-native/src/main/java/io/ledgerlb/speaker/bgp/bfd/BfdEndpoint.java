package io.ledgerlb.speaker.bgp.bfd;

import io.ledgerlb.net.IpText;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This host's BFD: the sessions, the sockets they share, and the one thread they run on.
 * Packets are received on UDP 3784 (single hop) and 4784 (multihop), on every address, and
 * handed to their session by your-discriminator, or by source address while that is 0 (RFC 5880
 * §6.8.6); each session sends from a port of its own in 49152-65535 (RFC 5881 §4) with TTL 255.
 * The peer's source port is not checked: BIRD 2 sends from ordinary ephemeral ports.
 * A discarded packet is counted in {@code ledgerlb_bfd_discarded_total{reason}} and the first of
 * each reason is logged; {@code ledgerlb_bfd_session_up{peer}} is 1 while a session is Up.
 */
public final class BfdEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BfdEndpoint.class);
    private static final int FIRST_SOURCE_PORT = 49152;
    private static final int LAST_SOURCE_PORT = 65535;
    /** A session not Up this long after it started is logged: the router may not run BFD for us. */
    private static final Duration NOT_UP_WARNING = Duration.ofSeconds(30);

    /** Hears a session's state changes, on the BFD thread. */
    public interface Listener {
        void stateChanged(Change change);
    }

    /**
     * @param peerAdminDown the peer took its end down administratively (the path may be fine)
     * @param peerRestarted the peer's Down came from a new session of its own ({@link BfdSession#peerRestarted})
     */
    public record Change(BfdPeer peer, BfdState from, BfdState to, String diag, boolean peerAdminDown, boolean peerRestarted) {
        /**
         * The session was Up and the path is gone, which is what a BFD client acts on; not when the
         * peer only went AdminDown (RFC 5882 §3.2: the client must not take its session down then),
         * nor when the peer restarted its session (its packets still arrive).
         */
        public boolean pathDown() {
            return from == BfdState.UP && to == BfdState.DOWN && !peerAdminDown && !peerRestarted;
        }
    }

    /** A session added with {@link #add}; {@link #close} sends AdminDown and ends it. */
    public interface Handle extends AutoCloseable {
        BfdState state();

        @Override
        void close();
    }

    private final MeterRegistry registry;
    private final ScheduledThreadPoolExecutor loop;
    private final Map<Long, Entry> byDiscriminator = new HashMap<>();
    private final Map<Boolean, Receiver> receivers = new HashMap<>();
    private final Map<BfdDiscard, Counter> discards = new EnumMap<>(BfdDiscard.class);
    private final Set<BfdDiscard> logged = EnumSet.noneOf(BfdDiscard.class);

    public BfdEndpoint(MeterRegistry registry) {
        this.registry = registry;
        this.loop = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "bfd");
            t.setDaemon(true);
            return t;
        });
        loop.setRemoveOnCancelPolicy(true);
        for (BfdDiscard reason : BfdDiscard.values()) {
            discards.put(reason, Counter.builder("ledgerlb_bfd_discarded").description("BFD packets discarded, by reason")
                    .tag("reason", reason.name()).register(registry));
        }
    }

    /** Starts a session with this peer (opening the receive socket of its kind on first use). */
    public Handle add(BfdPeer peer, Listener listener) throws IOException {
        try {
            return loop.submit(() -> start(peer, listener)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Packets discarded for this reason so far. */
    public long discarded(BfdDiscard reason) {
        return (long) discards.get(reason).count();
    }

    // ---- on the loop thread

    private Entry start(BfdPeer peer, Listener listener) throws IOException {
        Receiver receiver = receivers.get(peer.multihop());
        if (receiver == null) {
            receiver = new Receiver(peer.multihop(), BfdSocket.open(peer.port(), 0, 0));
            receivers.put(peer.multihop(), receiver);
            receiver.start();
        }
        if (byAddress(peer).isPresent()) {
            throw new IOException("a BFD session with " + IpText.of(peer.address()) + " exists already");
        }
        long discriminator;
        do {
            discriminator = ThreadLocalRandom.current().nextLong(1, 0x1_0000_0000L);
        } while (byDiscriminator.containsKey(discriminator));
        Entry entry = new Entry(peer, listener, BfdSocket.open(0, FIRST_SOURCE_PORT, LAST_SOURCE_PORT));
        entry.gauge = Gauge.builder("ledgerlb_bfd_session_up", entry, e -> e.state == BfdState.UP ? 1 : 0)
                .description("1 while the BFD session with the peer is Up").tag("peer", IpText.of(peer.address()))
                .register(registry);
        entry.session = new BfdSession(discriminator, peer.settings(), () -> ThreadLocalRandom.current().nextDouble(),
                entry, System.nanoTime());
        byDiscriminator.put(discriminator, entry);
        entry.tick();
        loop.schedule(entry::warnIfNeverUp, NOT_UP_WARNING.toMillis(), TimeUnit.MILLISECONDS);
        return entry;
    }

    private Optional<Entry> byAddress(BfdPeer peer) {
        return byDiscriminator.values().stream()
                .filter(e -> e.peer.address().equals(peer.address()) && e.peer.multihop() == peer.multihop()).findFirst();
    }

    private void received(boolean multihop, BfdSocket.Datagram datagram) {
        BfdDecoded decoded = BfdCodec.decode(datagram.data());
        if (decoded instanceof BfdDecoded.Discarded d) {
            discard(d.reason(), datagram, d.detail());
            return;
        }
        BfdControlPacket packet = ((BfdDecoded.Accepted) decoded).packet();
        Entry entry = packet.yourDiscriminator() != 0 ? byDiscriminator.get(packet.yourDiscriminator())
                : byDiscriminator.values().stream().filter(e -> e.peer.multihop() == multihop
                        && e.peer.address().equals(datagram.source())).findFirst().orElse(null);
        if (entry == null || entry.peer.multihop() != multihop || !entry.peer.address().equals(datagram.source())) {
            discard(BfdDiscard.NO_SESSION, datagram, "your discriminator " + packet.yourDiscriminator());
            return;
        }
        if (datagram.ttl() < entry.peer.acceptedTtl()) {
            discard(BfdDiscard.BAD_TTL, datagram, "TTL " + datagram.ttl() + ", needs " + entry.peer.acceptedTtl());
            return;
        }
        entry.session.received(packet, System.nanoTime());
        entry.reschedule();
    }

    private void discard(BfdDiscard reason, BfdSocket.Datagram datagram, String detail) {
        discards.get(reason).increment();
        if (logged.add(reason)) {
            log.atWarn().addKeyValue("event", "bfdPacketDiscarded").addKeyValue("from", IpText.of(datagram.source()))
                    .addKeyValue("reason", reason).addKeyValue("detail", detail)
                    .log("{}; further ones are only counted in ledgerlb_bfd_discarded_total", reason.text());
        }
    }

    /** A session, its sending socket and its timer. */
    private final class Entry implements Handle, BfdSession.Output {
        final BfdPeer peer;
        final Listener listener;
        final BfdSocket tx;
        BfdSession session;
        ScheduledFuture<?> timer;
        Gauge gauge;
        volatile BfdState state = BfdState.DOWN;
        private boolean everUp;
        private boolean sendFailureLogged;

        Entry(BfdPeer peer, Listener listener, BfdSocket tx) {
            this.peer = peer;
            this.listener = listener;
            this.tx = tx;
        }

        void tick() {
            session.tick(System.nanoTime());
            reschedule();
        }

        void reschedule() {
            if (timer != null) {
                timer.cancel(false);
            }
            long at = session.nextDeadline();
            timer = at == Long.MAX_VALUE ? null : loop.schedule(this::tick, at - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public void send(BfdControlPacket packet) {
            try {
                tx.send(peer.address(), peer.port(), BfdCodec.encode(packet));
                sendFailureLogged = false;
            } catch (IOException e) {
                if (!sendFailureLogged) {
                    sendFailureLogged = true;
                    log.atWarn().addKeyValue("event", "bfdSendFailed").addKeyValue("peer", IpText.of(peer.address()))
                            .addKeyValue("reason", e.getMessage()).log("BFD packet to {} not sent", IpText.of(peer.address()));
                }
            }
        }

        @Override
        public void stateChanged(BfdState from, BfdState to, int diag) {
            state = to;
            everUp |= to == BfdState.UP;
            log.atInfo().addKeyValue("event", "bfdStateChanged").addKeyValue("peer", IpText.of(peer.address()))
                    .addKeyValue("from", from).addKeyValue("to", to).addKeyValue("diag", BfdDiag.name(diag))
                    .log("BFD session with {} {} -> {}", IpText.of(peer.address()), from, to);
            listener.stateChanged(new Change(peer, from, to, BfdDiag.name(diag), session.remoteState() == BfdState.ADMIN_DOWN,
                    diag == BfdDiag.NEIGHBOR_SIGNALED_DOWN && session.peerRestarted()));
        }

        @Override
        public BfdState state() {
            return state;
        }

        void warnIfNeverUp() {
            if (byDiscriminator.containsValue(this) && !everUp) {
                log.atWarn().addKeyValue("event", "bfdNotUp").addKeyValue("peer", IpText.of(peer.address()))
                        .addKeyValue("state", state)
                        .log("the BFD session is not Up {} s after it started; does the router run BFD for this speaker"
                                + " (FRR: neighbor X bfd, BIRD: bfd on)? Until it is Up, the BGP session has only its hold"
                                + " timer to find a dead path", NOT_UP_WARNING.toSeconds());
            }
        }

        /** After the last packet: no timer, no socket, no meter. */
        void end() {
            if (timer != null) {
                timer.cancel(false);
            }
            tx.close();
            registry.remove(gauge);
        }

        @Override
        public void close() {
            if (loop.isShutdown()) {
                return;
            }
            try {
                loop.submit(() -> {
                    if (byDiscriminator.remove(session.localDiscriminator()) != null) {
                        session.adminDown(System.nanoTime()); // the peer hears AdminDown and keeps its BGP session (RFC 5882 §3.2)
                        end();
                    }
                }).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("BFD session with {} did not close cleanly: {}", IpText.of(peer.address()), e.toString());
            }
        }
    }

    /** Reads one receive socket on its own thread and posts each datagram to the loop. */
    private final class Receiver {
        final boolean multihop;
        final BfdSocket socket;
        final Thread thread;
        volatile boolean running = true;

        Receiver(boolean multihop, BfdSocket socket) {
            this.multihop = multihop;
            this.socket = socket;
            this.thread = new Thread(this::read, multihop ? "bfd-read-multihop" : "bfd-read");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void read() {
            try {
                while (running) {
                    Optional<BfdSocket.Datagram> datagram = socket.receive();
                    datagram.ifPresent(d -> loop.execute(() -> received(multihop, d)));
                }
            } catch (IOException | java.util.concurrent.RejectedExecutionException e) {
                if (running) {
                    log.atWarn().addKeyValue("event", "bfdReceiveFailed").addKeyValue("reason", e.getMessage())
                            .log("BFD receive failed");
                }
            } finally {
                socket.close();
            }
        }

        void stop() {
            running = false;
            try {
                thread.join(2 * BfdSocket.RECEIVE_TIMEOUT_MS + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        try {
            loop.submit(() -> {
                for (Entry e : Map.copyOf(byDiscriminator).values()) {
                    byDiscriminator.remove(e.session.localDiscriminator());
                    e.session.adminDown(System.nanoTime());
                    e.end();
                }
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("BFD did not close cleanly: {}", e.toString());
        }
        loop.shutdownNow();
        receivers.values().forEach(Receiver::stop);
        discards.values().forEach(registry::remove);
    }
}
