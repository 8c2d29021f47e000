package io.ledgerlb.allocator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesMetalLbPoolGaugesUnderTheirOwnNamesAndHealth() throws Exception {
        AtomicBoolean ready = new AtomicBoolean(false);
        Map<String, PoolCounts> pools = Map.of("blue", new PoolCounts("blue", 3, 1, 12, 1000));
        try (MetricsServer server = new MetricsServer(new InetSocketAddress("127.0.0.1", 0), () -> pools, ready::get)) {
            server.gauge("ledgerlb_allocator_leader", "1 while leading", () -> 1);
            HttpResponse<String> metrics = get(server, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body())
                    .contains("metallb_allocator_addresses_in_use_total{pool=\"blue\"} 4\n")
                    .contains("metallb_allocator_addresses_total{pool=\"blue\"} 1016\n")
                    .contains("# TYPE metallb_allocator_addresses_total gauge")
                    .contains("ledgerlb_allocator_leader 1");

            assertThat(get(server, "/healthz").statusCode()).isEqualTo(200);
            assertThat(get(server, "/readyz").statusCode()).isEqualTo(503);
            ready.set(true);
            assertThat(get(server, "/readyz").statusCode()).isEqualTo(200);
        }
    }

    private HttpResponse<String> get(MetricsServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
