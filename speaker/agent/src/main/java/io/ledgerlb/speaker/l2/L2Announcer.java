package io.ledgerlb.speaker.l2;

import io.ledgerlb.net.IpText;
import io.ledgerlb.speaker.l2.NeighborRequest.ArpRequest;
import io.ledgerlb.speaker.metrics.SpeakerMetrics;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Layer 2 on this node: answers requests for the IPs it owns on each selected interface, and
 * announces IPs it takes over. Ownership is a concurrent map changed one IP at a time (a plan
 * touching one IP costs one IP, at 50,000 Services too): the moment an IP is removed no request
 * for it gets an answer.
 *
 * <p>A takeover sends gratuitous ARP / unsolicited NA at once, 200 ms and 1 s later (a lost frame),
 * then {@link GarpRepeats#count} more every {@link GarpRepeats#interval} while the IP stays here:
 * switches age their MAC tables out before routers age their ARP caches (MetalLB #2910).
 *
 * <p>Announcements due within the same {@link #ROUND_MS} share one scheduled round: a node taking
 * over 20,000 IPs schedules a handful of rounds, not a task per IP and step (which at 50,000
 * Services filled the heap with queued tasks).
 */
public final class L2Announcer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(L2Announcer.class);
    /** Gratuitous ARP / unsolicited NA right after a takeover (ms after the first). */
    static final List<Long> BURST_MS = List.of(0L, 200L, 1000L);
    /** Announcements due within this many ms of each other go out in one round. */
    static final long ROUND_MS = 10;
    /** How many of a round's IPs its log line names. */
    private static final int LOGGED_IPS = 8;

    /** How many more times, and how often, gratuitous announcements are repeated after the burst. */
    public record GarpRepeats(int count, java.time.Duration interval) {
        public static final GarpRepeats NONE = new GarpRepeats(0, java.time.Duration.ofSeconds(30));

        public GarpRepeats {
            if (count < 0 || (count > 0 && interval.toMillis() < 100)) {
                throw new IllegalArgumentException("gratuitous ARP repeats: count must be >= 0 and the interval at least 100 ms, got "
                        + count + " every " + interval.toMillis() + " ms");
            }
        }
    }

    /** What sends a frame on one interface: pcap in production. */
    public interface Link {
        InterfaceIdentity identity();

        void send(byte[] frame);
    }

    private final Map<String, Link> links;
    private final SpeakerMetrics metrics;
    private final java.util.concurrent.ConcurrentHashMap<InetAddress, Set<String>> ownedIps = new java.util.concurrent.ConcurrentHashMap<>();
    private final OwnedIps owned = OwnedIps.view(ownedIps);
    private final GarpRepeats garpRepeats;
    /**
     * A takeover's first announcements, and the ones after it, each on a thread of its own: the
     * repeats of a mass takeover (at 50,000 Services, 100,000 frames and more, tens of seconds on
     * a loaded node) never hold up the first announcement of an IP taken later.
     */
    private final Rounds first = new Rounds("l2-announce");
    private final Rounds again = new Rounds("l2-announce-again");

    public L2Announcer(List<? extends Link> links, SpeakerMetrics metrics) {
        this(links, metrics, GarpRepeats.NONE);
    }

    public L2Announcer(List<? extends Link> links, SpeakerMetrics metrics, GarpRepeats garpRepeats) {
        this.garpRepeats = garpRepeats;
        this.links = links.stream().collect(java.util.stream.Collectors.toUnmodifiableMap(
                l -> l.identity().name(), l -> l));
        this.metrics = metrics;
    }

    /** A copy of what this node answers for now. */
    public OwnedIps owned() {
        return new OwnedIps(ownedIps);
    }

    public boolean owns(InetAddress ip) {
        return ownedIps.containsKey(ip);
    }

    /** Answers for {@code ip} from now on, on these interfaces (empty: all). */
    public void own(InetAddress ip, Set<String> interfaces) {
        ownedIps.put(ip, Set.copyOf(interfaces));
    }

    /** Stops answering for {@code ip} now. */
    public void disown(InetAddress ip) {
        ownedIps.remove(ip);
    }

    /** Handles one frame captured on {@code iface}. Never throws: a bad frame is logged and dropped. */
    public void received(String iface, byte[] frame) {
        Link link = links.get(iface);
        if (link == null) {
            return;
        }
        NeighborRequest request;
        try {
            Optional<NeighborRequest> parsed = Frames.parse(frame);
            if (parsed.isEmpty()) {
                return;
            }
            request = parsed.get();
        } catch (MalformedFrameException e) {
            log.atInfo().addKeyValue("event", "malformedFrame").addKeyValue("interface", iface)
                    .addKeyValue("error", e.getMessage()).log("ignoring malformed frame");
            return;
        } catch (RuntimeException e) {
            log.atWarn().addKeyValue("event", "malformedFrame").addKeyValue("interface", iface)
                    .addKeyValue("error", e.toString()).log("ignoring frame that could not be parsed");
            return;
        }
        InterfaceIdentity identity = link.identity();
        Optional<byte[]> reply = Responder.answer(request, identity, owned);
        if (reply.isEmpty()) {
            return;
        }
        metrics.count(SpeakerMetrics.REQUESTS, request.target());
        link.send(reply.get());
        metrics.count(SpeakerMetrics.RESPONSES, request.target());
        if (log.isDebugEnabled()) {
            String ip = IpText.of(request.target());
            boolean arp = request instanceof ArpRequest;
            log.atDebug().addKeyValue("event", "requestAnswered").addKeyValue("interface", iface)
                    .addKeyValue("ip", ip).addKeyValue("responseMAC", identity.mac().toString())
                    .addKeyValue("senderIP", IpText.of(request.senderIp()))
                    .addKeyValue("senderMAC", request.senderMac().toString())
                    .log(arp ? "got ARP request for service IP, sending response"
                             : "got NDP neighbor solicitation for service IP, sending response");
        }
    }

    /** Gratuitous ARP or unsolicited NA for {@code ip}, now and repeated, while it stays ours (on the interfaces it is owned on). */
    public void announce(InetAddress ip) {
        long now = nowMs();
        for (long delay : BURST_MS) {
            (delay == 0 ? first : again).enqueue(now + delay, ip);
        }
        long last = BURST_MS.get(BURST_MS.size() - 1);
        for (int i = 1; i <= garpRepeats.count(); i++) {
            again.enqueue(now + last + i * garpRepeats.interval().toMillis(), ip);
        }
    }

    /** Rounds scheduled and not yet sent. */
    int pendingRounds() {
        return first.pending() + again.pending();
    }

    /**
     * Rounds not yet sent, by due time (ms on the monotonic clock, a multiple of ROUND_MS), sent
     * by one thread: the IPs only, as each goes out on the interfaces it is owned on when its
     * round comes (a list, not a map: a takeover of 30,000 IPs queues 90,000 of them).
     */
    private final class Rounds {
        private final NavigableMap<Long, List<InetAddress>> byDue = new TreeMap<>();
        private final ScheduledExecutorService sender;

        Rounds(String threadName) {
            sender = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, threadName);
                t.setDaemon(true);
                return t;
            });
        }

        synchronized int pending() {
            return byDue.size();
        }

        void enqueue(long dueMs, InetAddress ip) {
            long round = dueMs - dueMs % ROUND_MS;
            boolean opened;
            synchronized (this) {
                List<InetAddress> due = byDue.computeIfAbsent(round, r -> new ArrayList<>());
                opened = due.isEmpty();
                due.add(ip);
            }
            if (opened) {
                try {
                    sender.schedule(() -> send(take(round)), Math.max(0, round - nowMs()), TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException closed) {
                    take(round);
                }
            }
        }

        private synchronized List<InetAddress> take(long round) {
            return byDue.remove(round);
        }

        void close() {
            sender.shutdownNow();
        }
    }

    private void send(List<InetAddress> due) {
        if (due == null) {
            return;
        }
        Collection<InetAddress> ips = new LinkedHashSet<>(due); // announced twice within a round: sent once
        for (Link link : links.values()) {
            InterfaceIdentity id = link.identity();
            List<String> named = new ArrayList<>();
            int sent = 0;
            for (InetAddress ip : ips) {
                if (!owned.answers(ip, id.name())) {
                    continue;
                }
                link.send(ip instanceof Inet4Address v4
                        ? Frames.gratuitousArp(id.mac(), v4)
                        : Frames.unsolicitedAdvertisement(id.mac(), (Inet6Address) ip));
                metrics.count(SpeakerMetrics.GRATUITOUS, ip);
                if (sent++ < LOGGED_IPS) {
                    named.add(IpText.of(ip));
                }
            }
            if (sent > 0) {
                // one line per round, not per IP: a takeover of 20,000 IPs must not turn into 60,000 log lines
                log.atInfo().addKeyValue("event", "gratuitousSent").addKeyValue("interface", id.name())
                        .addKeyValue("mac", id.mac().toString()).addKeyValue("count", sent)
                        .addKeyValue("ips", String.join(",", named) + (sent > LOGGED_IPS ? ",…" : ""))
                        .log("sent gratuitous ARP / unsolicited neighbor advertisements");
            }
        }
    }

    private static long nowMs() {
        return System.nanoTime() / 1_000_000;
    }

    @Override
    public void close() {
        first.close();
        again.close();
    }
}
