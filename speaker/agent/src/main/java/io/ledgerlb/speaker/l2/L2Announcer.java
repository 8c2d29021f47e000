package io.ledgerlb.speaker.l2;

import io.ledgerlb.speaker.bgp.IpText;
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
 * announces IPs it takes over. Ownership is one volatile immutable value, so the moment it is
 * replaced no request for an IP that moved away gets an answer.
 */
public final class L2Announcer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(L2Announcer.class);
    /** Gratuitous ARP / unsolicited NA repeats after a takeover (ms after the first). */
    static final List<Long> REPEATS_MS = List.of(0L, 200L, 1000L);

    /** What sends a frame on one interface: pcap in production. */
    public interface Link {
        InterfaceIdentity identity();

        void send(byte[] frame);
    }

    private final Map<String, Link> links;
    private final SpeakerMetrics metrics;
    private final ScheduledExecutorService repeats;
    private volatile OwnedIps owned = OwnedIps.NONE;

    public L2Announcer(List<? extends Link> links, SpeakerMetrics metrics) {
        this.links = links.stream().collect(java.util.stream.Collectors.toUnmodifiableMap(
                l -> l.identity().name(), l -> l));
        this.metrics = metrics;
        this.repeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "l2-announce");
            t.setDaemon(true);
            return t;
        });
    }

    public OwnedIps owned() {
        return owned;
    }

    public void own(OwnedIps now) {
        owned = now;
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
        for (long delay : REPEATS_MS) {
            repeats.schedule(() -> announceOnce(ip, interfaces), delay, TimeUnit.MILLISECONDS);
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
