package io.ledgerlb.speaker.bgp.nativ;

import io.ledgerlb.net.IpText;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MetalLB's BGP metrics for one peer, labelled {@code peer="address:port"}: in Prometheus
 * format {@code metallb_bgp_session_up}, {@code metallb_bgp_updates_total} and
 * {@code metallb_bgp_announced_prefixes_total}; and ours for backpressure,
 * {@code ledgerlb_bgp_send_queue_bytes} (written to no socket yet) and
 * {@code ledgerlb_bgp_held_back_prefixes} (changes waiting for the peer to read).
 */
final class SessionMetrics {
    private final MeterRegistry registry;
    private final AtomicInteger up = new AtomicInteger();
    private final AtomicInteger announced = new AtomicInteger();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicInteger heldBack = new AtomicInteger();
    private final Counter updates;
    private final List<Meter> meters;

    SessionMetrics(MeterRegistry registry, BgpPeerConfig peer) {
        this.registry = registry;
        String label = IpText.of(peer.peerAddress()) + ":" + peer.peerPort();
        this.updates = Counter.builder("metallb_bgp_updates").tag("peer", label)
                .description("BGP UPDATE messages sent").register(registry);
        this.meters = List.of(updates,
                Gauge.builder("metallb_bgp_session_up", up, AtomicInteger::get).tag("peer", label)
                        .description("BGP session state (1 is up, 0 is down)").register(registry),
                Gauge.builder("metallb_bgp_announced_prefixes_total", announced, AtomicInteger::get).tag("peer", label)
                        .description("Number of prefixes currently being advertised on the BGP session").register(registry),
                Gauge.builder("ledgerlb_bgp_send_queue_bytes", queuedBytes, AtomicLong::get).tag("peer", label)
                        .description("Bytes of BGP messages queued for the peer and not yet written to its socket").register(registry),
                Gauge.builder("ledgerlb_bgp_held_back_prefixes", heldBack, AtomicInteger::get).tag("peer", label)
                        .description("Prefixes whose UPDATE waits for the peer to read what was sent").register(registry));
    }

    void sessionUp(boolean isUp) {
        up.set(isUp ? 1 : 0);
    }

    void updatesSent(int count) {
        updates.increment(count);
    }

    void announced(int prefixes) {
        announced.set(prefixes);
    }

    void queued(long change) {
        queuedBytes.addAndGet(change);
    }

    void heldBack(int prefixes) {
        heldBack.set(prefixes);
    }

    void remove() {
        meters.forEach(registry::remove);
    }
}
