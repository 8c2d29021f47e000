package io.ledgerlb.speaker.bgp.nativ;

import io.ledgerlb.net.IpText;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * MetalLB's BGP metrics for one peer, labelled {@code peer="address:port"}: in Prometheus
 * format {@code metallb_bgp_session_up}, {@code metallb_bgp_updates_total} and
 * {@code metallb_bgp_announced_prefixes_total}.
 */
final class SessionMetrics {
    private final MeterRegistry registry;
    private final AtomicInteger up = new AtomicInteger();
    private final AtomicInteger announced = new AtomicInteger();
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
                        .description("Number of prefixes currently being advertised on the BGP session").register(registry));
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

    void remove() {
        meters.forEach(registry::remove);
    }
}
