package io.ledgerlb.speaker.l2;

import io.ledgerlb.net.IpText;
import io.ledgerlb.speaker.l2.NeighborRequest.ArpRequest;
import io.ledgerlb.speaker.metrics.SpeakerMetrics;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
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
 */
public final class L2Announcer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(L2Announcer.class);
    /** Gratuitous ARP / unsolicited NA right after a takeover (ms after the first). */
    static final List<Long> BURST_MS = List.of(0L, 200L, 1000L);

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
    private final ScheduledExecutorService repeats;
    private final java.util.concurrent.ConcurrentHashMap<InetAddress, Set<String>> ownedIps = new java.util.concurrent.ConcurrentHashMap<>();
    private final OwnedIps owned = OwnedIps.view(ownedIps);
    private final GarpRepeats garpRepeats;

    public L2Announcer(List<? extends Link> links, SpeakerMetrics metrics) {
        this(links, metrics, GarpRepeats.NONE);
    }

    public L2Announcer(List<? extends Link> links, SpeakerMetrics metrics, GarpRepeats garpRepeats) {
        this.garpRepeats = garpRepeats;
        this.links = links.stream().collect(java.util.stream.Collectors.toUnmodifiableMap(
                l -> l.identity().name(), l -> l));
        this.metrics = metrics;
        this.repeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "l2-announce");
            t.setDaemon(true);
            return t;
        });
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
        String ip = IpText.of(request.target());
        metrics.count(SpeakerMetrics.REQUESTS, ip);
        link.send(reply.get());
        metrics.count(SpeakerMetrics.RESPONSES, ip);
        if (log.isDebugEnabled()) {
            boolean arp = request instanceof ArpRequest;
            log.atDebug().addKeyValue("event", "requestAnswered").addKeyValue("interface", iface)
                    .addKeyValue("ip", ip).addKeyValue("responseMAC", identity.mac().toString())
                    .addKeyValue("senderIP", IpText.of(request.senderIp()))
                    .addKeyValue("senderMAC", request.senderMac().toString())
                    .log(arp ? "got ARP request for service IP, sending response"
                             : "got NDP neighbor solicitation for service IP, sending response");
        }
    }

    /** Gratuitous ARP or unsolicited NA for {@code ip}, now and repeated, while it stays ours. */
    public void announce(InetAddress ip, Set<String> interfaces) {
        for (long delay : BURST_MS) {
            repeats.schedule(() -> announceOnce(ip, interfaces), delay, TimeUnit.MILLISECONDS);
        }
        long last = BURST_MS.get(BURST_MS.size() - 1);
        for (int i = 1; i <= garpRepeats.count(); i++) {
            repeats.schedule(() -> announceOnce(ip, interfaces), last + i * garpRepeats.interval().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void announceOnce(InetAddress ip, Set<String> interfaces) {
        for (Link link : links.values()) {
            InterfaceIdentity id = link.identity();
            if (!owned.answers(ip, id.name()) || (!interfaces.isEmpty() && !interfaces.contains(id.name()))) {
                continue;
            }
            byte[] frame = ip instanceof Inet4Address v4
                    ? Frames.gratuitousArp(id.mac(), v4)
                    : Frames.unsolicitedAdvertisement(id.mac(), (Inet6Address) ip);
            link.send(frame);
            metrics.count(SpeakerMetrics.GRATUITOUS, IpText.of(ip));
            log.atInfo().addKeyValue("event", "gratuitousSent").addKeyValue("interface", id.name())
                    .addKeyValue("ip", IpText.of(ip)).addKeyValue("mac", id.mac().toString())
                    .log(ip instanceof Inet4Address ? "sent gratuitous ARP" : "sent unsolicited neighbor advertisement");
        }
    }

    @Override
    public void close() {
        repeats.shutdownNow();
    }
}
