package io.ledgerlb.speaker.members;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failure detection between speakers over UDP: a heartbeat protocol with gossip, no Kubernetes
 * API involved (no Leases). See {@link MemberTable} for the rules.
 *
 * <p>Every {@code interval} (100 ms by default) a speaker sends its own entry (a few dozen bytes)
 * to every live member and its whole table to one random member and to any seed not yet seen
 * alive. A member is dead once its heartbeat has not advanced for {@code failAfter} (500 ms by
 * default), so a killed node is noticed 500–600 ms after its last heartbeat and the new owner
 * announces right away. A speaker that shuts down says it is leaving; the others drop it at once.
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
 */
public final class Membership implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Membership.class);

    public record Config(String nodeName, InetSocketAddress address, List<InetSocketAddress> seeds,
                         Duration interval, Duration failAfter, Duration joinDelay) {
        public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(100);
        public static final Duration DEFAULT_FAIL_AFTER = Duration.ofMillis(500);
        public static final Duration DEFAULT_JOIN_DELAY = Duration.ofSeconds(1);

        public Config {
            seeds = List.copyOf(seeds);
        }

        public Config(String nodeName, InetSocketAddress address, List<InetSocketAddress> seeds) {
            this(nodeName, address, seeds, DEFAULT_INTERVAL, DEFAULT_FAIL_AFTER, DEFAULT_JOIN_DELAY);
        }
    }

    /**
     * Told, on the membership thread, each time the set of speakers that may own IPs changes:
     * live ones, alive for at least the join delay (see {@link MemberTable#eligible}).
     */
    public interface Listener {
        void eligibleMembersChanged(Set<String> eligible);
    }

    private final Config config;
    private final Listener listener;
    private final DatagramSocket socket;
    private final MemberTable table;
    private final ScheduledExecutorService executor;
    private final Set<InetSocketAddress> seeds = new CopyOnWriteArraySet<>();
    private final Thread receiver;
    private volatile Set<String> alive;
    private volatile Set<String> eligible = Set.of();
    private volatile boolean closed;
    private volatile java.util.concurrent.Future<?> ticking;

    private Membership(Config config, Listener listener) throws SocketException {
        this.config = config;
        this.listener = listener;
        this.socket = new DatagramSocket(config.address());
        this.table = new MemberTable(new MemberState(config.nodeName(), config.address(),
                System.currentTimeMillis(), 0, false), config.failAfter().toNanos(),
                config.joinDelay().toNanos(), System.nanoTime());
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
        m.ticking = m.executor.scheduleAtFixedRate(m::tick, 0, interval, TimeUnit.NANOSECONDS);
        log.info("membership of {} listening on {}, seeds {}", config.nodeName(), config.address(), config.seeds());
        return m;
    }

    /** A liveness hook: false once the tick stopped (it threw) or the receiver ended, unless closed. */
    public boolean running() {
        return closed || (!ticking.isDone() && receiver.isAlive());
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
            sendToAll(GossipCodec.encode(table.gossip(System.nanoTime())));
            changed();
        });
        Thread.sleep(handover.toMillis());
    }

    private void tick() {
        try {
            long now = System.nanoTime();
            table.beat();
            byte[] heartbeat = GossipCodec.encode(List.of(table.self()));
            sendToAll(heartbeat);
            byte[] full = GossipCodec.encode(table.gossip(now));
            List<InetSocketAddress> live = table.liveAddresses();
            if (!live.isEmpty()) {
                send(full, live.get(ThreadLocalRandom.current().nextInt(live.size())));
            }
            for (InetSocketAddress seed : seeds) {
                if (!table.knowsAliveAt(seed)) {
                    send(full, seed);
                }
            }
            table.expire(now);
            changed();
        } catch (RuntimeException e) {
            log.error("membership tick failed", e);
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
                List<MemberState> gossip = GossipCodec.decode(packet.getData(), packet.getLength());
                executor.execute(() -> {
                    if (table.merge(gossip, System.nanoTime())) {
                        changed();
                    }
                });
            } catch (IOException e) {
                if (!closed) {
                    log.warn("ignoring a membership datagram from {}: {}", packet.getSocketAddress(), e.getMessage());
                }
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return;
            }
        }
    }

    private void changed() {
        Set<String> nowAlive = table.alive();
        if (!nowAlive.equals(alive)) {
            log.atInfo().addKeyValue("event", "membersChanged").addKeyValue("alive", nowAlive)
                    .log("live speakers changed");
            alive = nowAlive;
        }
        Set<String> nowEligible = table.eligible(System.nanoTime());
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
        try {
            receiver.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
