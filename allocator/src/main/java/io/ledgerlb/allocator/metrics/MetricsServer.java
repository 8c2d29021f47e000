package io.ledgerlb.allocator.metrics;

import com.sun.net.httpserver.HttpServer;
import io.ledgerlb.kube.endpoint.MetricsEndpoint;
import io.ledgerlb.kube.health.Health;
import io.ledgerlb.kube.metrics.PrometheusText;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The allocator's metrics on the process's {@link MetricsEndpoint}: {@code /healthz} (the process
 * answers) and {@code /readyz} (every part in {@link #health()} works: informers synced, a leader
 * known, the ledger fresh...).
 *
 * <p>MetalLB's pool gauges are written by hand ({@link PrometheusText}): their names end in
 * {@code _total}, which the Prometheus client behind Micrometer strips from gauges, and dashboards
 * built for MetalLB expect them unchanged. Everything else goes through Micrometer.
 */
public final class MetricsServer implements AutoCloseable {
    private final PrometheusMeterRegistry registry = MetricsEndpoint.newRegistry();
    private final Supplier<Map<String, PoolCounts>> pools;
    private final Health health = new Health(registry, "allocator");
    private final MetricsEndpoint endpoint;

    public MetricsServer(InetSocketAddress address, Supplier<Map<String, PoolCounts>> pools) throws IOException {
        this(HttpServer.create(address, 0), pools);
    }

    /** Serves on {@code server} (bound, not started: plain HTTP or HTTPS, see {@code MetricsEndpointOptions}). */
    public MetricsServer(HttpServer server, Supplier<Map<String, PoolCounts>> pools) {
        this.pools = pools;
        this.endpoint = new MetricsEndpoint(server, registry, this::metalLbGauges, health);
    }

    /** The allocator's parts, which {@code /readyz} answers from. */
    public Health health() {
        return health;
    }

    /** Where ledgerlb's own meters go ({@code ledgerlb_*}). */
    public MeterRegistry registry() {
        return registry;
    }

    /** Registers a gauge read at scrape time. */
    public void gauge(String name, String help, Supplier<Number> value) {
        Gauge.builder(name, value).description(help).register(registry);
    }

    public int port() {
        return endpoint.port();
    }

    String metalLbGauges() {
        Map<String, PoolCounts> usage = pools.get();
        PrometheusText out = new PrometheusText();
        out.family("metallb_allocator_addresses_in_use_total", "gauge", "Number of IP addresses in use, per pool");
        usage.forEach((pool, u) -> out.sample("metallb_allocator_addresses_in_use_total", PrometheusText.labels("pool", pool),
                u.assigned()));
        out.family("metallb_allocator_addresses_total", "gauge", "Number of usable IP addresses, per pool");
        usage.forEach((pool, u) -> out.sample("metallb_allocator_addresses_total", PrometheusText.labels("pool", pool),
                u.size()));
        return out.toString();
    }

    @Override
    public void close() {
        endpoint.close();
        registry.close();
    }
}
