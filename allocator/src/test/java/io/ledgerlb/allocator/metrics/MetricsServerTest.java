package io.ledgerlb.allocator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesMetalLbPoolGaugesUnderTheirOwnNamesAndHealth() throws Exception {
        Map<String, PoolCounts> pools = Map.of("blue", new PoolCounts("blue", 3, 1, 12, 1000));
        try (MetricsServer server = new MetricsServer(new InetSocketAddress("127.0.0.1", 0), () -> pools)) {
            server.health().starting("informers", "not synced yet");
            server.gauge("ledgerlb_allocator_leader", "1 while leading", () -> 1);
            HttpResponse<String> metrics = get(server, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body())
                    .contains("metallb_allocator_addresses_in_use_total{pool=\"blue\"} 4\n")
                    .contains("metallb_allocator_addresses_total{pool=\"blue\"} 1016\n")
                    .contains("# TYPE metallb_allocator_addresses_total gauge")
                    .contains("ledgerlb_allocator_leader 1");

            assertThat(get(server, "/healthz").statusCode()).isEqualTo(200);
            HttpResponse<String> notReady = get(server, "/readyz");
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).isEqualTo("not ready\ninformers: not synced yet\n");
            server.health().up("informers");
            assertThat(get(server, "/readyz").statusCode()).isEqualTo(200);
            server.health().down("ledger", "Kafka has not answered");
            assertThat(get(server, "/readyz").body()).contains("ledger: Kafka has not answered");
            assertThat(get(server, "/metrics").body())
                    .contains("ledgerlb_allocator_component_up{component=\"ledger\"} 0")
                    .contains("ledgerlb_allocator_component_up{component=\"informers\"} 1")
                    .contains("ledgerlb_allocator_component_failures_total{component=\"ledger\"} 1");
        }
    }

    private HttpResponse<String> get(MetricsServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
