package io.ledgerlb.speaker.members;

import io.ledgerlb.speaker.members.DroppedDatagram.Reason;
import io.ledgerlb.speaker.members.GossipSeal.Opened;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failure detection between speakers over UDP: a heartbeat protocol with gossip, no Kubernetes
 * API involved (no Leases). See {@link MemberTable} for the rules.
 *
 * <p>Every {@code interval} (100 ms by default) a speaker sends its own entry (a few dozen bytes)
 * to every live member and its whole table to one random member and to any seed not yet seen
 * alive. A member is dead once its heartbeat has not advanced for {@code failAfter} (500 ms by
 * default) and its host does not vouch for it, so a killed node is noticed 500–600 ms after its
 * last heartbeat and the new owner announces right away. A speaker that shuts down says it is
 * leaving; the others drop it at once.
 *
 * <p>The vouch ({@link HostVouch}): once a member has been silent for half of {@code failAfter},
 * each round connects to its membership address over TCP. The kernel of a host whose speaker
 * stands still (a GC pause, a frozen cgroup) still completes the handshake, so that member stays
 * alive and keeps its IPs, up to {@value #STALL_LIMIT} times {@code failAfter} of silence; a
 * speaker that is gone is refused, a host that is down or cut off does not answer, and either is
 * declared dead at {@code failAfter} as before. So a pause moves no IPs unless it lasts longer than
 * {@value #STALL_LIMIT} × {@code failAfter} (10 s by default: a speaker wedged that long fails
 * over, and the kubelet restarts it), and a dead speaker fails over as fast as before.
 * Cost: {@code N} datagrams per interval per speaker, fine for the few hundred speakers of an L2
 * domain.
 *
 * <p>A split network: each side stops hearing the other and, after {@code failAfter}, computes
 * owners among the speakers it still hears; an IP whose owner is across the split then gets a
 * second owner on this side, and both answer — each only to the clients on its own side of the
 * split when the split is in the L2 segment itself, which is then the useful thing. The two
 * owners last exactly as long as the split. When it heals, the first heartbeats (one interval)
 * merge the views again, every speaker computes the same single owner, the other one stops
 * answering at once, and the owner announces again (it re-announces its IPs whenever a member
 * joins) so that clients that learned the other MAC move back.
 *
 * <p>Every datagram is sealed with AES-GCM under the Secret's key ({@link GossipSeal}); a
 * speaker believes only datagrams that open with a key it holds, each once and while fresh
 * ({@link ReplayGuard}), and whose first entry is their sender's own. The rest are dropped,
 * counted by reason ({@link #dropped()}) and logged at WARN at most every
 * {@value #WARN_EVERY_SECONDS} s. Without keys (an explicit choice of the operator) nothing is
 * authenticated and any host that reaches the port can forge membership.
 *
 * <p>Our own stalls never make us declare live peers dead (the peers do see us die, rightly, if
 * we stand still longer than {@code failAfter}): silence is measured on an {@link AwakeClock};
 * received datagrams are folded before each round's expiry; a round that comes late (more than
 * two intervals after the previous one) does not expire anyone, the next on-time one does, so
 * the receiver has drained what waited in the socket; and after a stall longer than
 * {@code failAfter} every live peer gets a fresh {@code failAfter} to be heard
 * ({@link MemberTable#restartWindows}). A peer killed while we stood still is thus found dead
 * at most one {@code failAfter} after we wake; a peer killed while we run, as ever.
 */
public final class Membership implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Membership.class);

    static final int WARN_EVERY_SECONDS = 10;
    /** A member silent for this many failure timeouts is dead even if its host still holds its process. */
    static final int STALL_LIMIT = 20;

    /**
     * @param keys the shared keys; null: unauthenticated membership (only when the operator
     *        asked for it explicitly)
     * @param maxClockSkew how far apart speakers' clocks may be: datagrams older than this are
     *        stale, incarnations further in the future implausible
     */
    public record Config(String nodeName, InetSocketAddress address, List<InetSocketAddress> seeds,
                         Duration interval, Duration failAfter, Duration joinDelay, GossipKeys keys,
                         Duration maxClockSkew) {
        public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(100);
        public static final Duration DEFAULT_FAIL_AFTER = Duration.ofMillis(500);
        public static final Duration DEFAULT_JOIN_DELAY = Duration.ofSeconds(1);
        public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofSeconds(30);

        public Config {
            seeds = List.copyOf(seeds);
        }

        public Config(String nodeName, InetSocketAddress address, List<InetSocketAddress> seeds, GossipKeys keys) {
            this(nodeName, address, seeds, DEFAULT_INTERVAL, DEFAULT_FAIL_AFTER, DEFAULT_JOIN_DELAY, keys, DEFAULT_MAX_CLOCK_SKEW);
        }
    }

    /**
     * Told, on the membership thread, each time the set of speakers that may own IPs changes:
     * live ones, alive for at least the join delay (see {@link MemberTable#eligible}).
     */
    public interface Listener {
        void eligibleMembersChanged(Set<String> eligible);
    }

    /** A datagram believed: who sent it (null when unauthenticated) and what it says. */
    private record Received(String sender, List<MemberState> gossip) {}

    private final Config config;
    private final Listener listener;
    private final DatagramSocket socket;
    private final MemberTable table;
    private final AwakeClock clock;
    private final GossipSeal.Sealer sealer;
    private final GossipSeal.Opener opener;
    private final ReplayGuard replays;
    private final ConcurrentLinkedQueue<Received> inbox = new ConcurrentLinkedQueue<>();
    private final Map<Reason, LongAdder> dropped = new EnumMap<>(Reason.class);
    private long lastWarnNanos;
    private long droppedSinceWarn;
    private final ScheduledExecutorService executor;
    private final Set<InetSocketAddress> seeds = new CopyOnWriteArraySet<>();
    private final Thread receiver;
    private final HostVouch vouch;
    private volatile Set<String> alive;
    private volatile Set<String> eligible = Set.of();
    private volatile boolean closed;
    private volatile java.util.concurrent.Future<?> ticking;
    /** On the membership thread: when the last tick ran, and whether it came late (after a stall). */
    private long lastTickNanos;
    private boolean previousTickLate;
    /** Runs in each round just before the expiry (tests stall the round there, as a GC pause would). */
    private volatile Runnable beforeExpiry = () -> { };

    private Membership(Config config, Listener listener) throws SocketException {
        this.config = config;
        this.listener = listener;
        this.socket = new DatagramSocket(config.address());
        try {
            // probes start at half the timeout and answer (or time out) by the timeout: no later failover
            this.vouch = new HostVouch(config.address(), config.failAfter().dividedBy(2), config.failAfter());
        } catch (IOException e) {
            socket.close();
            SocketException refused = new SocketException("membership cannot listen on TCP " + config.address() + ": " + e.getMessage());
            refused.initCause(e);
            throw refused;
        }
        long start = System.nanoTime();
        long incarnation = System.currentTimeMillis();
        this.clock = new AwakeClock(2 * config.interval().toNanos(), start);
        this.lastTickNanos = start;
        this.table = new MemberTable(new MemberState(config.nodeName(), config.address(), incarnation, 0, false),
                config.failAfter().toNanos(), config.joinDelay().toNanos(), config.maxClockSkew().toMillis(), start);
        this.sealer = config.keys() == null ? null : new GossipSeal.Sealer(config.keys(), config.nodeName(), incarnation);
        this.opener = config.keys() == null ? null : new GossipSeal.Opener(config.keys());
        this.replays = new ReplayGuard(config.maxClockSkew().toMillis());
        for (Reason r : Reason.values()) {
            dropped.put(r, new LongAdder());
        }
        this.alive = table.alive();
        this.seeds.addAll(config.seeds());
        this.seeds.remove(config.address());
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "membership");
            t.setDaemon(true);
            return t;
        });
        this.receiver = new Thread(this::receive, "membership-receive");
        this.receiver.setDaemon(true);
    }

    public static Membership start(Config config, Listener listener) throws SocketException {
        Membership m = new Membership(config, listener);
        m.receiver.start();
        long interval = config.interval().toNanos();
        // fixed delay: after a stall one round runs, not a burst of overdue ones
        m.ticking = m.executor.scheduleWithFixedDelay(m::tick, 0, interval, TimeUnit.NANOSECONDS);
        if (config.keys() == null) {
            log.atWarn().addKeyValue("event", "membershipInsecure")
                    .log("membership is NOT authenticated (--insecure-membership): any host that reaches {} can move this cluster's IPs",
                            config.address());
        }
        log.info("membership of {} listening on {}, seeds {}, {}", config.nodeName(), config.address(), config.seeds(),
                config.keys() == null ? "unauthenticated" : "AES-GCM with " + config.keys().keys().size() + " key(s)");
        return m;
    }

    /** Something to run in each round just before members are expired; for tests. */
    void beforeExpiry(Runnable hook) {
        beforeExpiry = hook;
    }

    /** A liveness hook: false once the tick stopped (it threw) or the receiver ended, unless closed. */
    public boolean running() {
        return closed || (!ticking.isDone() && receiver.isAlive() && vouch.running());
    }

    public Set<String> alive() {
        return alive;
    }

    public Set<String> eligible() {
        return eligible;
    }

    public String nodeName() {
        return config.nodeName();
    }

    /** Datagrams not believed so far, by reason (the metric's {@code reason} label). */
    public Map<String, Long> dropped() {
        Map<String, Long> out = new TreeMap<>();
        dropped.forEach((reason, count) -> out.put(reason.label(), count.sum()));
        return out;
    }

    /** More places where speakers may listen (for example the Nodes' addresses); contacted until seen alive. */
    public void addSeeds(Collection<InetSocketAddress> more) {
        more.stream().filter(a -> !a.equals(config.address())).forEach(seeds::add);
    }

    /**
     * Tells the others this speaker is leaving, then keeps the process answering for
     * {@code handover} while they take its IPs over and announce them.
     */
    public void leave(Duration handover) throws InterruptedException {
        executor.submit(() -> {
            table.leave();
            sendToAll(seal(GossipCodec.encode(table.gossip(clock.now(System.nanoTime())))));
            changed();
        });
        Thread.sleep(handover.toMillis());
    }

    private void tick() {
        try {
            long real = System.nanoTime();
            long gap = real - lastTickNanos;
            lastTickNanos = real;
            fold();
            long now = clock.now(real);
            boolean late = gap > 2 * config.interval().toNanos();
            if (gap > config.failAfter().toNanos()) {
                table.restartWindows(now);
                log.atWarn().addKeyValue("event", "membershipStalled").addKeyValue("stalledMs", gap / 1_000_000)
                        .log("this speaker stood still for {} ms (GC, frozen cgroup, starved CPU): its peers get a fresh {} ms to be heard before any is declared dead",
                                gap / 1_000_000, config.failAfter().toMillis());
            }
            table.beat();
            byte[] heartbeat = seal(GossipCodec.encode(List.of(table.self())));
            sendToAll(heartbeat);
            byte[] full = seal(GossipCodec.encode(table.gossip(now)));
            List<InetSocketAddress> live = table.liveAddresses();
            if (!live.isEmpty()) {
                send(full, live.get(ThreadLocalRandom.current().nextInt(live.size())));
            }
            for (InetSocketAddress seed : seeds) {
                if (!table.knowsAliveAt(seed)) {
                    send(full, seed);
                }
            }
            List<MemberState> silent = table.silentFor(now, config.failAfter().toNanos() / 2);
            silent.forEach(m -> vouch.probe(m.name(), m.address()));
            vouch.keepOnly(silent.stream().map(MemberState::name).collect(Collectors.toSet()));
            if (!late || previousTickLate) {
                // after a late tick, the next one decides: the receiver drains the socket meanwhile
                beforeExpiry.run();
                // the vouches as they stood when this round measured the silences, whatever stall comes in between
                table.expire(now, name -> vouch.vouched(name, real), STALL_LIMIT * config.failAfter().toNanos());
            }
            previousTickLate = late;
            changed();
        } catch (RuntimeException e) {
            log.error("membership tick failed", e);
        }
    }

    private byte[] seal(byte[] message) {
        return sealer == null ? message : sealer.seal(message, System.currentTimeMillis());
    }

    /** Folds the datagrams received so far; on the membership thread. */
    private void fold() {
        long refutedBefore = table.refutations();
        boolean changed = false;
        for (Received r; (r = inbox.poll()) != null; ) {
            MemberTable.Merged merged = table.merge(r.gossip(), r.sender(), clock.now(System.nanoTime()), System.currentTimeMillis());
            changed |= merged.changed();
            if (merged.rejected() > 0) {
                dropped(Reason.IMPLAUSIBLE, null, merged.rejected() + " entries from " + r.sender() + " claim what they may not");
            }
        }
        if (table.refutations() != refutedBefore) {
            log.atWarn().addKeyValue("event", "membershipRefuted").addKeyValue("incarnation", table.self().incarnation())
                    .log("a peer spoke of a newer state of this speaker than its own; refuted with a new incarnation");
        }
        if (changed) {
            changed();
        }
    }

    private void sendToAll(byte[] message) {
        for (InetSocketAddress address : table.liveAddresses()) {
            send(message, address);
        }
    }

    private void send(byte[] message, InetSocketAddress to) {
        try {
            socket.send(new DatagramPacket(message, message.length, to));
        } catch (IOException e) {
            if (!closed) {
                log.debug("membership message to {} not sent: {}", to, e.toString());
            }
        }
    }

    private void receive() {
        byte[] buffer = new byte[65_536];
        while (!closed) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                if (!closed) {
                    log.warn("membership socket failed: {}", e.toString());
                }
                continue;
            }
            try {
                inbox.add(believe(packet.getData(), packet.getLength()));
                executor.execute(this::fold);
            } catch (DroppedDatagram e) {
                dropped(e.reason(), packet.getSocketAddress(), e.getMessage());
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return;
            }
        }
    }

    /** Opens, checks and decodes one datagram, or says why it is not believed. */
    private Received believe(byte[] data, int length) throws DroppedDatagram {
        if (opener == null) {
            return new Received(null, decode(data, length));
        }
        Opened opened = opener.open(data, length);
        replays.accept(opened.header(), System.currentTimeMillis());
        byte[] message = opened.message();
        List<MemberState> gossip = decode(message, message.length);
        if (gossip.isEmpty() || !gossip.get(0).name().equals(opened.header().sender())) {
            throw new DroppedDatagram(Reason.IMPLAUSIBLE, "its first entry is not its sender " + opened.header().sender());
        }
        return new Received(opened.header().sender(), gossip);
    }

    private static List<MemberState> decode(byte[] data, int length) throws DroppedDatagram {
        try {
            return GossipCodec.decode(data, length);
        } catch (IOException | IllegalArgumentException e) {
            throw new DroppedDatagram(Reason.UNAUTHENTICATED, "not a membership message: " + e.getMessage());
        }
    }

    /** Counts a datagram not believed; WARN at most every few seconds, with how many since the last. */
    private synchronized void dropped(Reason reason, SocketAddress from, String why) {
        dropped.get(reason).increment();
        droppedSinceWarn++;
        long now = System.nanoTime();
        if (lastWarnNanos == 0 || now - lastWarnNanos >= TimeUnit.SECONDS.toNanos(WARN_EVERY_SECONDS)) {
            log.atWarn().addKeyValue("event", "membershipDatagramDropped").addKeyValue("reason", reason.label())
                    .addKeyValue("from", String.valueOf(from)).addKeyValue("dropped", droppedSinceWarn)
                    .log("membership datagram dropped: {} ({} dropped since the last warning; next warning in {} s at the earliest)",
                            why, droppedSinceWarn, WARN_EVERY_SECONDS);
            lastWarnNanos = now;
            droppedSinceWarn = 0;
        }
    }

    private void changed() {
        Set<String> nowAlive = table.alive();
        if (!nowAlive.equals(alive)) {
            log.atInfo().addKeyValue("event", "membersChanged").addKeyValue("alive", nowAlive)
                    .log("live speakers changed");
            alive = nowAlive;
        }
        Set<String> nowEligible = table.eligible(clock.now(System.nanoTime()));
        if (!nowEligible.equals(eligible)) {
            eligible = nowEligible;
            listener.eligibleMembersChanged(nowEligible);
        }
    }

    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        socket.close();
        vouch.close();
        try {
            receiver.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
