package io.ledgerlb.speaker;

import static io.ledgerlb.speaker.owner.Ledgers.fold;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.speaker.k8s.BgpPeerObjects;
import io.ledgerlb.speaker.k8s.BgpPeerStatusWriter;
import io.ledgerlb.speaker.owner.NodeInfo;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What native mode cannot do is shown on the BGPPeer (fabric8's CRUD mock): no session, a
 * {@code Supported=False} condition beside the allocator's {@code Valid}, a Warning Event. The
 * sessions that are opened go to a closed port on loopback: nothing answers, nothing leaves the host.
 */
@EnableKubernetesMockClient(crud = true)
class BgpSpeakingTest {
    static KubernetesClient client;
    static final String NS = "metallb-system";
    static final NodeInfo NODE = new NodeInfo("n1", Map.of(), false);

    static BgpPeerDefined.Builder peer(String name) {
        return BgpPeerDefined.newBuilder().setName(name).setMyAsn(64512).setPeerAsn(64513)
                .setPeerAddress("127.0.0.1").setPeerPort(1);
    }

    static LedgerState ledger(BgpPeerDefined.Builder... peers) {
        return fold(java.util.Arrays.stream(peers).map(p -> io.ledgerlb.events.v1.Event.newBuilder().setBgpPeerDefined(p)).toList());
    }

    static void createPeer(String name) {
        GenericKubernetesResource created = BgpPeerObjects.create(client, NS, name,
                Map.of("myASN", 64512, "peerASN", 64513, "peerAddress", "127.0.0.1"));
        // as the allocator leaves it
        created.setAdditionalProperty("status", Map.of("conditions", List.of(Map.of("type", "Valid", "status", "True",
                "reason", "Accepted", "message", "accepted by the allocator"))));
        client.genericKubernetesResources(BgpPeerStatusWriter.BGP_PEER).inNamespace(NS).resource(created).updateStatus();
    }

    static Map<String, Map<String, Object>> conditions(String peer) {
        return BgpPeerObjects.conditions(client, NS, peer);
    }

    static List<Event> warnings() {
        return client.v1().events().inNamespace(NS).list().getItems().stream().filter(e -> "Warning".equals(e.getType())).toList();
    }

    @Test
    void peersTheirBackendCannotServeGetNoSessionAConditionAndAWarning() throws Exception {
        createPeer("md5");
        createPeer("bfd");
        createPeer("plain");
        BgpPeerDefined.Builder md5 = peer("md5").setVrf("blue"); // named for what native mode once refused; a VRF it still does
        BgpPeerDefined.Builder bfd = peer("bfd").setBfdProfile("fast").setBackend("gobgp");
        try (BgpSpeaking speaking = new BgpSpeaking(InetAddress.getLoopbackAddress(), Optional.of(client), "n1", NS, () -> { }, new SimpleMeterRegistry())) {
            speaking.apply(ledger(md5, bfd, peer("plain")), NODE, Map.of());
            assertThat(speaking.sessionPeers()).containsExactly("plain");

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(conditions("md5")).containsOnlyKeys("Valid", "Supported", "Resolved");
                assertThat(conditions("md5").get("Valid")).containsEntry("status", "True"); // the allocator's, kept
                assertThat(conditions("md5").get("Supported")).containsEntry("status", "False")
                        .containsEntry("reason", "UnsupportedByNativeBackend")
                        .hasEntrySatisfying("message", m -> assertThat(m.toString())
                                .contains("no session is opened").contains("vrf"));
                assertThat(conditions("bfd").get("Supported")).containsEntry("status", "False")
                        .containsEntry("reason", "UnsupportedByGoBGPBackend")
                        .hasEntrySatisfying("message", m -> assertThat(m.toString()).contains("bfdProfile"));
                assertThat(conditions("plain").get("Supported")).containsEntry("status", "True").containsEntry("reason", "Supported");
                assertThat(conditions("plain")).containsKey("Valid");
                assertThat(warnings()).extracting(e -> e.getInvolvedObject().getKind() + "/" + e.getInvolvedObject().getName())
                        .containsExactlyInAnyOrder("BGPPeer/md5", "BGPPeer/bfd");
            });
            assertThat(warnings()).filteredOn(e -> e.getInvolvedObject().getName().equals("md5")).singleElement()
                    .satisfies(e -> assertThat(e.getReason()).isEqualTo("UnsupportedByNativeBackend"))
                    .satisfies(e -> assertThat(e.getMessage()).startsWith("node n1: "));

            // planning again changes nothing; the vrf dropped: a session, the condition turns True
            speaking.apply(ledger(md5, bfd, peer("plain")), NODE, Map.of());
            speaking.apply(ledger(peer("md5"), bfd, peer("plain")), NODE, Map.of());
            assertThat(speaking.sessionPeers()).containsExactlyInAnyOrder("md5", "plain");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(conditions("md5").get("Supported")).containsEntry("status", "True"));
            assertThat(conditions("md5").get("Valid")).containsEntry("status", "True");
            assertThat(warnings()).hasSize(2);

            // a served peer that now asks for what its backend cannot do: its session is closed
            speaking.apply(ledger(peer("md5"), bfd, peer("plain").setVrf("red")), NODE, Map.of());
            assertThat(speaking.sessionPeers()).containsExactly("md5");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(conditions("plain").get("Supported")).containsEntry("status", "False")
                            .hasEntrySatisfying("message", m -> assertThat(m.toString()).contains("vrf")));
        }
    }

    /** A field no backend implements, as the allocator records it: Supported=False naming it, in both backends, no session. */
    @Test
    void aFieldLedgerlbLacksIsNamedInSupportedFalse() throws Exception {
        createPeer("dynamic");
        createPeer("unnumbered");
        BgpPeerDefined.Builder dynamic = peer("dynamic").clearPeerAsn()
                .addUnsupported("spec.dynamicASN: a peer AS learned from the peer's OPEN is not implemented by ledgerlb; set spec.peerASN instead");
        BgpPeerDefined.Builder unnumbered = peer("unnumbered").clearPeerAddress().setBackend("gobgp")
                .addUnsupported("spec.interface: BGP unnumbered is not implemented by ledgerlb; set spec.peerAddress instead");
        try (BgpSpeaking speaking = new BgpSpeaking(InetAddress.getLoopbackAddress(), Optional.of(client), "n1", NS, () -> { }, new SimpleMeterRegistry())) {
            speaking.apply(ledger(dynamic, unnumbered), NODE, Map.of());
            assertThat(speaking.sessionPeers()).isEmpty();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(conditions("dynamic")).containsOnlyKeys("Valid", "Supported");
                assertThat(conditions("dynamic").get("Supported")).containsEntry("status", "False")
                        .containsEntry("reason", "UnsupportedByNativeBackend")
                        .hasEntrySatisfying("message", m -> assertThat(m.toString()).contains("spec.dynamicASN"));
                assertThat(conditions("unnumbered").get("Supported")).containsEntry("status", "False")
                        .containsEntry("reason", "UnsupportedByGoBGPBackend")
                        .hasEntrySatisfying("message", m -> assertThat(m.toString()).contains("spec.interface"));
            });
        } finally {
            client.v1().events().inNamespace(NS).delete(); // the other test counts the Warning Events
        }
    }

    @Test
    void aBfdProfileTheNativeBackendCannotRunIsNamedOnThePeer() throws Exception {
        createPeer("echo");
        createPeer("missing");
        createPeer("fast");
        io.ledgerlb.events.v1.BfdProfileDefined fast = io.ledgerlb.events.v1.BfdProfileDefined.newBuilder().setName("fast")
                .setReceiveIntervalMs(300).setTransmitIntervalMs(300).setDetectMultiplier(3).setMinimumTtl(254).build();
        LedgerState state = fold(List.of(
                io.ledgerlb.events.v1.Event.newBuilder().setBfdProfileDefined(fast),
                io.ledgerlb.events.v1.Event.newBuilder().setBfdProfileDefined(fast.toBuilder().setName("echo").setEchoMode(true)),
                io.ledgerlb.events.v1.Event.newBuilder().setBgpPeerDefined(peer("echo").setBfdProfile("echo")),
                io.ledgerlb.events.v1.Event.newBuilder().setBgpPeerDefined(peer("missing").setBfdProfile("nope")),
                io.ledgerlb.events.v1.Event.newBuilder().setBgpPeerDefined(peer("fast").setBfdProfile("fast"))));
        try (BgpSpeaking speaking = new BgpSpeaking(InetAddress.getLoopbackAddress(), Optional.of(client), "n1", NS, () -> { }, new SimpleMeterRegistry())) {
            speaking.apply(state, NODE, Map.of());
            assertThat(speaking.sessionPeers()).containsExactly("fast");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(conditions("echo").get("Resolved")).containsEntry("status", "False")
                        .containsEntry("reason", "BFDEchoModeUnsupported")
                        .hasEntrySatisfying("message", m -> assertThat(m.toString()).contains("echoMode: false"));
                assertThat(conditions("missing").get("Resolved")).containsEntry("status", "False")
                        .containsEntry("reason", "BFDProfileNotFound");
                assertThat(conditions("fast").get("Supported")).containsEntry("status", "True");
                assertThat(conditions("fast").get("Resolved")).containsEntry("status", "True");
            });
        } finally {
            client.v1().events().inNamespace(NS).delete(); // the other test counts the Warning Events
        }
    }
}
