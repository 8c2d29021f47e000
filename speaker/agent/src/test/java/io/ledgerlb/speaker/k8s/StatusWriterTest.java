package io.ledgerlb.speaker.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.speaker.owner.L2Assignment;
import io.ledgerlb.speaker.owner.NodeInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class StatusWriterTest {
    static KubernetesClient client;
    static final ServiceKey WEB = new ServiceKey("shop", "web");

    List<ServiceL2Status> statuses() {
        // in the speaker's namespace, as MetalLB keeps them; the Service's namespace gets none
        assertThat(client.resources(ServiceL2Status.class).inNamespace("shop").list().getItems()).isEmpty();
        return client.resources(ServiceL2Status.class).inNamespace("metallb-system").list().getItems();
    }

    @Test
    void writesOneStatusPerAnnouncedServiceAndANodeAssignedEventThenRemovesIt() {
        try (StatusWriter<ServiceL2Status> writer = StatusWriter.layer2(client, "n1", "metallb-system")) {
            writer.announcing(StatusWriter.interfacesByService(
                    List.of(new L2Assignment("10.99.0.200", "n1", Set.of("eth0"), List.of(WEB)))), Map.of(WEB, "uid-web"));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(statuses()).singleElement().satisfies(s -> {
                    assertThat(s.getStatus().getNode()).isEqualTo("n1");
                    assertThat(s.getStatus().getServiceName()).isEqualTo("web");
                    assertThat(s.getStatus().getServiceNamespace()).isEqualTo("shop");
                    assertThat(s.getStatus().getInterfaces()).extracting(ServiceL2Status.InterfaceInfo::getName)
                            .containsExactly("eth0");
                    assertThat(s.getMetadata().getLabels()).containsEntry(ServiceL2Status.NODE_LABEL, "n1");
                });
                assertThat(client.v1().events().inNamespace("shop").list().getItems()).singleElement().satisfies(e -> {
                    assertThat(e.getReason()).isEqualTo("nodeAssigned");
                    assertThat(e.getMessage()).isEqualTo("announcing from node \"n1\" with protocol \"layer2\"");
                    assertThat(e.getInvolvedObject().getUid()).isEqualTo("uid-web");
                });
            });

            writer.announcing(Map.of(), Map.of());
            await().atMost(Duration.ofSeconds(20)).until(() -> statuses().isEmpty());
        }
    }

    @Test
    void aBurstOfCallsEndsWithWhatTheLastOneSays() {
        ServiceKey api = new ServiceKey("shop", "api");
        try (StatusWriter<ServiceL2Status> writer = StatusWriter.layer2(client, "n1", "metallb-system")) {
            // the calls come faster than the writer writes: later ones replace what waits, the last one must win
            for (int i = 0; i < 50; i++) {
                writer.announcing(Map.of(WEB, Set.of("eth" + i)), Map.of(WEB, "uid-web"));
            }
            writer.announcing(Map.of(api, Set.of("eth0")), Map.of(api, "uid-api"));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(statuses()).singleElement()
                    .satisfies(s -> {
                        assertThat(s.getStatus().getServiceName()).isEqualTo("api");
                        assertThat(s.getStatus().getInterfaces()).extracting(ServiceL2Status.InterfaceInfo::getName)
                                .containsExactly("eth0");
                    }));
            writer.announcing(Map.of(), Map.of());
            await().atMost(Duration.ofSeconds(20)).until(() -> statuses().isEmpty());
        }
    }

    @Test
    void clusterWatchSeesNodesConditionsAndServingEndpoints() {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("a")
                .addToLabels(NodeInfo.EXCLUDE_LABEL, "").endMetadata().build()).create();
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("b").endMetadata()
                .withNewStatus().addNewCondition().withType("NetworkUnavailable").withStatus("True").endCondition()
                .addNewAddress().withType("InternalIP").withAddress("10.99.0.2").endAddress().endStatus().build()).create();
        client.discovery().v1().endpointSlices().inNamespace("shop").resource(new EndpointSliceBuilder()
                .withNewMetadata().withName("web-1").withNamespace("shop")
                        .addToLabels(ClusterWatch.SERVICE_NAME_LABEL, "web").endMetadata()
                .withAddressType("IPv4")
                .addNewEndpoint().addToAddresses("10.244.0.1").withNodeName("a")
                        .withNewConditions().withServing(true).endConditions().endEndpoint()
                .addNewEndpoint().addToAddresses("10.244.0.2").withNodeName("b")
                        .withNewConditions().withServing(false).withReady(false).endConditions().endEndpoint()
                .build()).create();
        AtomicInteger changes = new AtomicInteger();
        try (ClusterWatch watch = new ClusterWatch(client, changes::incrementAndGet)) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(watch.nodes()).containsOnlyKeys("a", "b");
                assertThat(watch.nodes().get("a").mayAnnounce()).isFalse();
                assertThat(watch.nodes().get("b").mayAnnounce()).isFalse();
                assertThat(watch.nodes().get("b").networkUnavailable()).isTrue();
                assertThat(watch.internalAddresses()).containsExactly("10.99.0.2");
                assertThat(watch.servingNodes()).containsEntry(WEB, Set.of("a"));
            });
            assertThat(changes.get()).isPositive();

            // read once above; a changed slice must be read again
            client.discovery().v1().endpointSlices().inNamespace("shop").withName("web-1").edit(slice -> {
                slice.getEndpoints().get(1).getConditions().setServing(true);
                return slice;
            });
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(watch.servingNodes()).containsEntry(WEB, Set.of("a", "b")));
        }
    }
}
