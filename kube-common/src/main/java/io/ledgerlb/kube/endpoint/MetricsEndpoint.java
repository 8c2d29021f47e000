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
import io.ledgerlb.kube.health.Health;
import java.util.List;
import java.util.function.Supplier;

/**
 * The one HTTP port of a ledgerlb process (allocator or speaker), where {@link MetricsEndpointOptions}
 * opens it: {@code /metrics} (the hand-written MetalLB families, then Micrometer's Prometheus
 * registry, in the text format), {@code /healthz} (200 while the process is alive, 503 once it must
 * be restarted) and {@code /readyz} (200 while every part of {@link Health} is up, else 503 with a
 * line per part that is not: {@code component: reason}).
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
            Health health) {
        this.server = server;
        server.setExecutor(threads);
        server.createContext("/metrics", ex -> reply(ex, 200, handWritten.get() + registry.scrape()));
        server.createContext("/healthz", ex -> reply(ex, health.live() ? 200 : 503,
                health.live() ? "ok\n" : "must be restarted\n"));
        server.createContext("/readyz", ex -> {
            List<String> notReady = health.notReady();
            reply(ex, notReady.isEmpty() ? 200 : 503, notReady.isEmpty() ? "ready\n"
                    : "not ready\n" + String.join("\n", notReady) + "\n");
        });
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
