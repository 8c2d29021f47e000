package io.ledgerlb.speaker.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ledgerlb.kube.Conditions;
import io.ledgerlb.kube.WriteRetries;
import io.ledgerlb.ledger.state.ServiceKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A write the API refuses is tried again, with what is wanted by then, until it goes through. */
class StatusWriteRetryTest {
    static final String NS = "metallb-system";
    static final ServiceKey WEB = new ServiceKey("shop", "web");
    static final String L2_STATUSES = "/apis/metallb.io/v1beta1/namespaces/" + NS + "/servicel2statuses";

    @Test
    void theDelayDoublesFromHalfASecondUpToThirtySeconds() {
        assertThat(List.of(1, 2, 3, 4, 6, 7, 8, 100)).map(WriteRetries::delayMillis)
                .containsExactly(500L, 1000L, 2000L, 4000L, 16_000L, 30_000L, 30_000L, 30_000L);
    }

    @Test
    void aRefusedServiceStatusIsWrittenLaterWithWhatIsWantedThenAndARefusedDeleteIsRetried() {
        try (RefusingApi api = new RefusingApi();
             StatusWriter<ServiceL2Status> writer = StatusWriter.layer2(api.client(), "n1", NS)) {
            KubernetesClient client = api.client();
            // three refusals and two changes: at least one write must be a retry, and it writes eth1
            api.refuseWrites(L2_STATUSES, 3);
            writer.announcing(Map.of(WEB, Set.of("eth0")), Map.of(WEB, "uid-web"));
            writer.announcing(Map.of(WEB, Set.of("eth1")), Map.of(WEB, "uid-web"));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(api.refusalsLeft(L2_STATUSES)).isZero();
                assertThat(client.resources(ServiceL2Status.class).inNamespace(NS).list().getItems()).singleElement()
                        .satisfies(s -> assertThat(s.getStatus().getInterfaces())
                                .extracting(ServiceL2Status.InterfaceInfo::getName).containsExactly("eth1"));
                assertThat(client.v1().events().inNamespace("shop").list().getItems()).singleElement()
                        .satisfies(e -> assertThat(e.getReason()).isEqualTo("nodeAssigned"));
            });

            String name = client.resources(ServiceL2Status.class).inNamespace(NS).list().getItems().get(0).getMetadata().getName();
            api.refuseWrites(L2_STATUSES + "/" + name, 2);
            writer.announcing(Map.of(), Map.of());
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(api.refusalsLeft(L2_STATUSES + "/" + name)).isZero();
                assertThat(client.resources(ServiceL2Status.class).inNamespace(NS).list().getItems()).isEmpty();
            });
        }
    }

    @Test
    void aRefusedBgpPeerConditionIsWrittenLaterAndOtherConditionsAreKept() {
        try (RefusingApi api = new RefusingApi(); BgpPeerStatusWriter writer = new BgpPeerStatusWriter(api.client(), "n1")) {
            KubernetesClient client = api.client();
            GenericKubernetesResource peer = new GenericKubernetesResourceBuilder().withApiVersion("metallb.io/v1beta2")
                    .withKind("BGPPeer").withNewMetadata().withNamespace(NS).withName("edge").endMetadata().build();
            peer.setAdditionalProperty("spec", Map.of("myASN", 64512, "peerASN", 64513, "peerAddress", "192.0.2.1"));
            peer.setAdditionalProperty("status", Map.of("conditions", List.of(Map.of("type", "Valid", "status", "True"))));
            client.genericKubernetesResources(BgpPeerStatusWriter.BGP_PEER).inNamespace(NS).resource(peer).create();
            String status = "/apis/metallb.io/v1beta2/namespaces/" + NS + "/bgppeers/edge/status";
            api.refuseWrites(status, 3);

            writer.conditions(Map.of("edge", List.of(new BgpPeerStatusWriter.Support("native", List.of()).condition(),
                    BgpPeerStatusWriter.notResolved("PasswordSecretNotFound", "the password Secret metallb-system/p does not exist"))));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(api.refusalsLeft(status)).isZero();
                assertThat(conditionTypes(client)).containsEntry("Supported", "True").containsEntry("Valid", "True")
                        .containsEntry("Resolved", "False");
            });

            // a Warning Event the API refuses is recorded later, once
            String events = "/api/v1/namespaces/" + NS + "/events";
            api.refuseWrites(events, 2);
            writer.warn("edge", "BGPSessionDown", "node n1: the established BGP session went down: peer sent NOTIFICATION 6/2");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(api.refusalsLeft(events)).isZero();
                assertThat(client.v1().events().inNamespace(NS).list().getItems()).singleElement().satisfies(e -> {
                    assertThat(e.getReason()).isEqualTo("BGPSessionDown");
                    assertThat(e.getInvolvedObject().getKind() + "/" + e.getInvolvedObject().getName()).isEqualTo("BGPPeer/edge");
                    assertThat(e.getSource().getHost()).isEqualTo("n1");
                });
            });
        }
    }

    @Test
    void bgpPeerConditionsAreWrittenByNameInEveryNamespaceAndOnlyWhenTheyChange() {
        try (RefusingApi api = new RefusingApi(); BgpPeerStatusWriter writer = new BgpPeerStatusWriter(api.client(), "n1")) {
            KubernetesClient client = api.client();
            BgpPeerObjects.create(client, NS, "edge", null);
            BgpPeerObjects.create(client, "other", "edge", null);
            BgpPeerObjects.create(client, NS, "core", null);
            String edgeStatus = "/apis/metallb.io/v1beta2/namespaces/" + NS + "/bgppeers/edge/status";
            String otherEdgeStatus = "/apis/metallb.io/v1beta2/namespaces/other/bgppeers/edge/status";
            String coreStatus = "/apis/metallb.io/v1beta2/namespaces/" + NS + "/bgppeers/core/status";
            api.refuseWrites(edgeStatus, 2);

            List<Conditions.Condition> edge = List.of(new BgpPeerStatusWriter.Support("native", List.of()).condition());
            writer.conditions(Map.of("edge", edge, "core", List.of(BgpPeerStatusWriter.resolved())));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(api.refusalsLeft(edgeStatus)).isZero();
                assertThat(BgpPeerObjects.conditions(client, NS, "edge")).containsOnlyKeys("Supported");
                assertThat(BgpPeerObjects.conditions(client, "other", "edge")).containsOnlyKeys("Supported");
                assertThat(BgpPeerObjects.conditions(client, NS, "core")).containsOnlyKeys("Resolved");
            });
            int edgeWrites = api.writes(edgeStatus);
            int otherEdgeWrites = api.writes(otherEdgeStatus);
            assertThat(edgeWrites).as("the retry writes once more, then stops").isEqualTo(1);
            assertThat(api.writes(coreStatus)).isEqualTo(1);

            // only core changed: core is written again, neither edge
            writer.conditions(Map.of("edge", edge, "core", List.of(BgpPeerStatusWriter.notResolved("PasswordSecretNotFound", "gone"))));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(BgpPeerObjects.conditions(client, NS, "core")
                    .get("Resolved")).containsEntry("status", "False"));
            assertThat(api.writes(coreStatus)).isEqualTo(2);
            assertThat(api.writes(edgeStatus)).isEqualTo(edgeWrites);
            assertThat(api.writes(otherEdgeStatus)).isEqualTo(otherEdgeWrites);
        }
    }

    @Test
    void aRefusedNodeAssignedEventIsRecordedLaterOnceWhileTheStatusObjectIsWrittenAtOnce() {
        try (RefusingApi api = new RefusingApi();
             StatusWriter<ServiceBGPStatus> writer = StatusWriter.bgp(api.client(), "n1", NS)) {
            KubernetesClient client = api.client();
            String events = "/api/v1/namespaces/shop/events";
            api.refuseWrites(events, 3);
            writer.announcing(Map.of(WEB, Set.of("edge")), Map.of(WEB, "uid-web"));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(api.refusalsLeft(events)).isZero();
                assertThat(client.v1().events().inNamespace("shop").list().getItems()).singleElement().satisfies(e -> {
                    assertThat(e.getReason()).isEqualTo("nodeAssigned");
                    assertThat(e.getMessage()).isEqualTo("announcing from node \"n1\" with protocol \"bgp\"");
                    assertThat(e.getInvolvedObject().getUid()).isEqualTo("uid-web");
                });
            });
            assertThat(client.resources(ServiceBGPStatus.class).inNamespace(NS).list().getItems()).singleElement()
                    .satisfies(s -> assertThat(s.getStatus().getPeers()).containsExactly("edge"));
        }
    }

    static Map<String, String> conditionTypes(KubernetesClient client) {
        Map<String, String> out = new java.util.TreeMap<>();
        BgpPeerObjects.conditions(client, NS, "edge").forEach((type, c) -> out.put(type, (String) c.get("status")));
        return out;
    }
}
