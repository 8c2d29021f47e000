package io.ledgerlb.allocator.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code /metrics} (Prometheus text format), {@code /healthz} (the process answers) and
 * {@code /readyz} (the ledger is folded and the informers have synced) on one HTTP port.
 *
 * <p>MetalLB's pool gauges are written by hand: their names end in {@code _total}, which the
 * Prometheus client behind Micrometer strips from gauges, and dashboards built for MetalLB expect
 * them unchanged. Everything else goes through Micrometer.
 */
public final class MetricsServer implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Supplier<Map<String, PoolCounts>> pools;
    private final BooleanSupplier ready;
    private final HttpServer server;

    public MetricsServer(InetSocketAddress address, Supplier<Map<String, PoolCounts>> pools, BooleanSupplier ready)
            throws IOException {
        this(HttpServer.create(address, 0), pools, ready);
    }

    /** Serves on {@code server} (bound, not started: plain HTTP or HTTPS, see {@code MetricsEndpointOptions}). */
    public MetricsServer(HttpServer server, Supplier<Map<String, PoolCounts>> pools, BooleanSupplier ready) {
        this.pools = pools;
        this.ready = ready;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        this.server = server;
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/metrics", ex -> reply(ex, 200, registry.scrape() + metalLbGauges()));
        server.createContext("/healthz", ex -> reply(ex, 200, "ok\n"));
        server.createContext("/readyz", ex -> {
            boolean isReady = this.ready.getAsBoolean();
            reply(ex, isReady ? 200 : 503, isReady ? "ready\n" : "not ready\n");
        });
        server.start();
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
        return server.getAddress().getPort();
    }

    String metalLbGauges() {
        Map<String, PoolCounts> usage = pools.get();
        StringBuilder out = new StringBuilder();
        out.append("# HELP metallb_allocator_addresses_in_use_total Number of IP addresses in use, per pool\n");
        out.append("# TYPE metallb_allocator_addresses_in_use_total gauge\n");
        usage.forEach((pool, u) -> out.append("metallb_allocator_addresses_in_use_total{pool=\"").append(label(pool))
                .append("\"} ").append(u.assigned()).append('\n'));
        out.append("# HELP metallb_allocator_addresses_total Number of usable IP addresses, per pool\n");
        out.append("# TYPE metallb_allocator_addresses_total gauge\n");
        usage.forEach((pool, u) -> out.append("metallb_allocator_addresses_total{pool=\"").append(label(pool))
                .append("\"} ").append(u.size()).append('\n'));
        return out.toString();
    }

    private static String label(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static void reply(HttpExchange exchange, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        registry.close();
    }
}
