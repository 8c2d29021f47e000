package io.ledgerlb.speaker.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.ledgerlb.ledger.state.ServiceKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class ServiceBgpStatusTest {
    static KubernetesClient client;
    static final ServiceKey WEB = new ServiceKey("bgp", "web");
    static final ServiceKey DB = new ServiceKey("bgp", "db");

    List<ServiceBGPStatus> statuses() {
        assertThat(client.resources(ServiceBGPStatus.class).inNamespace("bgp").list().getItems()).isEmpty();
        return client.resources(ServiceBGPStatus.class).inNamespace("metallb-system").list().getItems();
    }

    ServiceBGPStatus statusOf(String service) {
        return statuses().stream().filter(s -> s.getStatus().getServiceName().equals(service)).findFirst().orElse(null);
    }

    List<Event> events() {
        return client.v1().events().inNamespace("bgp").list().getItems();
    }

    @Test
    void writesOneStatusPerServiceWithItsPeersUpdatesThemAndRemovesWithdrawnOnes() {
        Map<ServiceKey, String> uids = Map.of(WEB, "uid-web", DB, "uid-db");
        try (StatusWriter<ServiceBGPStatus> writer = StatusWriter.bgp(client, "n1", "metallb-system")) {
            writer.announcing(Map.of(WEB, Set.of("tor-b", "tor-a"), DB, Set.of("tor-a")), uids);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(statuses()).hasSize(2);
                ServiceBGPStatus web = statusOf("web");
                assertThat(web.getStatus().getNode()).isEqualTo("n1");
                assertThat(web.getStatus().getServiceNamespace()).isEqualTo("bgp");
                assertThat(web.getStatus().getPeers()).containsExactly("tor-a", "tor-b");
                assertThat(web.getMetadata().getLabels()).containsEntry(ServiceL2Status.NODE_LABEL, "n1")
                        .containsEntry(ServiceL2Status.SERVICE_NAME_LABEL, "web")
                        .containsEntry(ServiceL2Status.SERVICE_NAMESPACE_LABEL, "bgp");
                assertThat(statusOf("db").getStatus().getPeers()).containsExactly("tor-a");
                assertThat(events()).hasSize(2).allSatisfy(e -> {
                    assertThat(e.getReason()).isEqualTo("nodeAssigned");
                    assertThat(e.getMessage()).isEqualTo("announcing from node \"n1\" with protocol \"bgp\"");
                });
                assertThat(events()).extracting(e -> e.getInvolvedObject().getUid())
                        .containsExactlyInAnyOrder("uid-web", "uid-db");
            });

            writer.announcing(Map.of(WEB, Set.of("tor-a"), DB, Set.of("tor-a")), uids);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(statusOf("web").getStatus().getPeers()).containsExactly("tor-a"));

            writer.announcing(Map.of(WEB, Set.of("tor-a")), uids);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(statuses()).singleElement().satisfies(s ->
                        assertThat(s.getStatus().getServiceName()).isEqualTo("web"));
            });
            // a peer change and a withdrawal are not new announcements: still one event per Service
            assertThat(events()).hasSize(2);
        }
    }
}
