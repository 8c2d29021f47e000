package io.ledgerlb.kube.endpoint;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The one HTTP port of a ledgerlb process (allocator or speaker), where {@link MetricsEndpointOptions}
 * opens it: {@code /metrics} (the hand-written MetalLB families, then Micrometer's Prometheus
 * registry, in the text format), {@code /healthz} (200 while the process is alive, 503 once it must
 * be restarted) and {@code /readyz} (200 while ready, else 503).
 */
public final class MetricsEndpoint implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "metrics-http");
        t.setDaemon(true);
        return t;
    });

    /**
     * Serves on {@code server} (bound, not started: plain HTTP or HTTPS) and starts it.
     *
     * @param handWritten the families Micrometer cannot name as MetalLB does ({@code PrometheusText}), read at each scrape
     */
    public MetricsEndpoint(HttpServer server, PrometheusMeterRegistry registry, Supplier<String> handWritten,
            BooleanSupplier live, BooleanSupplier ready) {
        this.server = server;
        server.setExecutor(threads);
        server.createContext("/metrics", ex -> reply(ex, 200, handWritten.get() + registry.scrape()));
        server.createContext("/healthz", ex -> answer(ex, live.getAsBoolean(), "ok\n", "must be restarted\n"));
        server.createContext("/readyz", ex -> answer(ex, ready.getAsBoolean(), "ready\n", "not ready\n"));
        server.start();
    }

    /** A Prometheus registry with the JVM's memory and thread meters bound. */
    public static PrometheusMeterRegistry newRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        return registry;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, boolean yes, String ok, String notOk) throws IOException {
        reply(exchange, yes ? 200 : 503, yes ? ok : notOk);
    }

    private static void reply(HttpExchange exchange, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops serving; the registry is its owner's to close. */
    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
