package io.ledgerlb.speaker.metrics;

import io.ledgerlb.kube.endpoint.MetricsEndpoint;
import io.ledgerlb.kube.endpoint.MetricsEndpointOptions;
import io.ledgerlb.kube.health.Health;
import io.ledgerlb.kube.metrics.PrometheusText;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ledgerlb.net.IpAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The speaker's metrics under MetalLB's names, so existing dashboards and alerts keep working:
 * {@code metallb_layer2_requests_received}, {@code metallb_layer2_responses_sent},
 * {@code metallb_layer2_gratuitous_sent} (counters by {@code ip}) and
 * {@code metallb_speaker_announced} (1 for each IP, node, protocol and service announced).
 * Rendered in the Prometheus text format by hand ({@link PrometheusText}), because client
 * libraries now add {@code _total} to counter names and MetalLB's have none. Everything else (the
 * BGP sessions' {@code metallb_bgp_*}, the speaker's health, the JVM) lives in {@link #registry()}
 * and is scraped after these, on the process's {@link MetricsEndpoint}.
 */
public final class SpeakerMetrics {
    public static final String REQUESTS = "metallb_layer2_requests_received";
    public static final String RESPONSES = "metallb_layer2_responses_sent";
    public static final String GRATUITOUS = "metallb_layer2_gratuitous_sent";
    public static final String ANNOUNCED = "metallb_speaker_announced";
    /** Ledger records the follower passed over (never applied): ledgerlb's own, hence its prefix. */
    public static final String LEDGER_PASSED_OVER = "ledgerlb_ledger_records_passed_over";
    public static final String MEMBERSHIP_DROPPED = "metallb_speaker_membership_datagrams_dropped";

    /** The Layer 2 families, one counter each per IP. */
    private static final List<String> PER_IP = List.of(REQUESTS, RESPONSES, GRATUITOUS);

    /** Counters without labels (the ledger's). */
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    /**
     * The Layer 2 counters: one entry per IP holding its three families (in {@link #PER_IP}'s
     * order), keyed by the address's value (at 50,000 Services, three maps of IP text to LongAdder
     * cost ~6 MB more).
     */
    private final Map<IpAddress, AtomicLongArray> perIp = new ConcurrentHashMap<>();

    /** One series of {@code metallb_speaker_announced}: an IP, the node, the protocol and a Service ({@code namespace/name}). */
    public record Announced(String ip, String node, String protocol, String service) {
        String labels() {
            return PrometheusText.labels("ip", ip, "node", node, "protocol", protocol, "service", service);
        }
    }

    /** Where each protocol's announced series come from, read at each scrape rather than kept (50,000 of them at 50k). */
    private final Map<String, Supplier<Stream<Announced>>> announced = new ConcurrentHashMap<>();
    private final PrometheusMeterRegistry registry = MetricsEndpoint.newRegistry();
    private volatile Supplier<Map<String, Long>> membershipDropped = Map::of;
    private final Health health = new Health(registry, "speaker");
    private MetricsEndpoint endpoint;

    /** The speaker's parts, which {@code /readyz} and {@code /healthz} answer from. */
    public Health health() {
        return health;
    }

    /** The registry whose meters {@code /metrics} shows besides MetalLB's hand-written ones. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Counts one of a counter without labels ({@link #LEDGER_PASSED_OVER}). */
    public void count(String name) {
        counters.computeIfAbsent(name, n -> new LongAdder()).increment();
    }

    /** Counts one of a Layer 2 family ({@link #REQUESTS}, {@link #RESPONSES}, {@link #GRATUITOUS}) for an IP. */
    public void count(String name, InetAddress ip) {
        perIp.computeIfAbsent(IpAddress.of(ip), i -> new AtomicLongArray(PER_IP.size())).incrementAndGet(family(name));
    }

    public long value(String name) {
        LongAdder adder = counters.get(name);
        return adder == null ? 0 : adder.sum();
    }

    /** A Layer 2 family's count for an IP (its text). */
    public long value(String name, String ip) {
        AtomicLongArray counts = perIp.get(IpAddress.parse(ip));
        return counts == null ? 0 : counts.get(family(name));
    }

    private static int family(String name) {
        int family = PER_IP.indexOf(name);
        if (family < 0) {
            throw new IllegalArgumentException("not a per-IP counter: " + name);
        }
        return family;
    }

    /** Where the series of {@code metallb_speaker_announced} for {@code protocol} come from; read at each scrape, from any thread. */
    public void announced(String protocol, Supplier<Stream<Announced>> series) {
        announced.put(protocol, series);
    }

    /** Where the counts of membership datagrams not believed, by reason, come from. */
    public void membershipDropped(Supplier<Map<String, Long>> byReason) {
        membershipDropped = byReason;
    }

    /** What {@code /metrics} shows. */
    public String render() {
        return metalLbText() + registry.scrape();
    }

    /** The families written by hand, under MetalLB's names. */
    String metalLbText() {
        PrometheusText out = new PrometheusText();
        counter(out, REQUESTS, "Number of layer2 requests received for owned IPs");
        counter(out, RESPONSES, "Number of layer2 responses sent for owned IPs in response to requests");
        counter(out, GRATUITOUS, "Number of gratuitous layer2 packets sent for owned IPs as a result of failovers");
        out.family(LEDGER_PASSED_OVER, "counter", "Ledger records passed over, never applied: forged, replayed, reordered or not signed")
                .sample(LEDGER_PASSED_OVER, "", value(LEDGER_PASSED_OVER));
        out.family(ANNOUNCED, "gauge", "Services being announced from this node. This is desired state, it does not guarantee that the routing protocols have converged.");
        new TreeMap<>(announced).values().stream().flatMap(Supplier::get).map(Announced::labels).sorted()
                .forEach(labels -> out.sample(ANNOUNCED, labels, 1));
        out.family(MEMBERSHIP_DROPPED, "counter", "Membership datagrams not believed: unauthenticated, replayed, stale or implausible");
        new TreeMap<>(membershipDropped.get()).forEach((reason, v) ->
                out.sample(MEMBERSHIP_DROPPED, PrometheusText.labels("reason", reason), v));
        return out.toString();
    }

    private void counter(PrometheusText out, String name, String help) {
        out.family(name, "counter", help);
        int family = family(name);
        new TreeMap<>(perIp).forEach((ip, counts) -> {
            long v = counts.get(family);
            if (v > 0) {
                out.sample(name, PrometheusText.labels("ip", ip.toString()), v);
            }
        });
    }

    /** Serves {@code /metrics}, {@code /healthz} and {@code /readyz} on the port (0: none), on every address. */
    public void serve(int port) throws IOException {
        serve(MetricsEndpointOptions.of("0.0.0.0", null, null), port);
    }

    /** Serves {@code /metrics}, {@code /healthz} and {@code /readyz} where {@code options} say, on the port (0: none). */
    public void serve(MetricsEndpointOptions options, int port) throws IOException {
        if (port <= 0) {
            return;
        }
        this.endpoint = new MetricsEndpoint(options.open(port), registry, this::metalLbText, health);
    }

    public void stop() {
        if (endpoint != null) {
            endpoint.close();
        }
        registry.close();
    }
}
