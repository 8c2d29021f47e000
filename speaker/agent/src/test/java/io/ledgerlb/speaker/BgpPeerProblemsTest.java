package io.ledgerlb.speaker;

import static io.ledgerlb.speaker.BgpSpeakingTest.ledger;
import static io.ledgerlb.speaker.BgpSpeakingTest.peer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.events.v1.SecretRef;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.speaker.k8s.BgpPeerObjects;
import io.ledgerlb.speaker.owner.NodeInfo;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What keeps a BGPPeer from peering is shown on the BGPPeer (fabric8's CRUD mock): a problem every
 * node finds alike (its password Secret) as {@code Resolved=False}, and each as one Warning Event
 * per node and cause, not one per retry; once the Secret is there, the session opens without
 * anything else changing (the speaker looks again by itself). The planning runs on one thread, as
 * in the speaker; sessions go to gobgpd's default address on loopback, where nothing answers.
 */
@EnableKubernetesMockClient(crud = true)
class BgpPeerProblemsTest {
    static KubernetesClient client;
    static final String NS = "metallb-system";
    static final NodeInfo NODE = new NodeInfo("n1", Map.of(), false);

    final ExecutorService planner = Executors.newSingleThreadExecutor();
    final AtomicInteger plans = new AtomicInteger();
    volatile LedgerState state;
    BgpSpeaking speaking;

    @BeforeEach
    void speaker() {
        speaking = new BgpSpeaking(InetAddress.getLoopbackAddress(), Optional.of(client), "n1", NS, this::planSoon, new SimpleMeterRegistry());
    }

    @AfterEach
    void stop() throws Exception {
        planner.submit(speaking::close).get();
        planner.shutdownNow();
    }

    /** What the speaker's planning thread does: apply the state, as often as asked. */
    void planSoon() {
        planner.execute(() -> {
            speaking.apply(state, NODE, Map.of());
            plans.incrementAndGet();
        });
    }

    void plan(BgpPeerDefined.Builder... peers) {
        state = ledger(peers);
        planSoon();
    }

    Set<String> sessionPeers() throws Exception {
        return planner.submit(speaking::sessionPeers).get();
    }

    static BgpPeerDefined.Builder secured(String name, String secret) {
        return peer(name).setBackend("gobgp")
                .setPassword(SecretRef.newBuilder().setKind("Secret").setNamespace(NS).setName(secret).setKey("password"));
    }

    static void createPeer(String name) {
        BgpPeerObjects.create(client, NS, name, Map.of("myASN", 64512, "peerASN", 64513, "peerAddress", "127.0.0.1"));
    }

    static void secret(String name, String type, Map<String, String> data) {
        Map<String, String> encoded = new java.util.HashMap<>();
        data.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withNamespace(NS).withName(name)
                .endMetadata().withType(type).withData(encoded).build()).createOr(existing -> existing.update());
    }

    static Map<String, Object> condition(String peer, String type) {
        return BgpPeerObjects.conditions(client, NS, peer).getOrDefault(type, Map.of());
    }

    static List<Event> warnings(String peer, String reason) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> "Warning".equals(e.getType()) && peer.equals(e.getInvolvedObject().getName())
                        && reason.equals(e.getReason()))
                .toList();
    }

    @Test
    void aMissingSecretIsShownUntilItIsCreatedThenTheSessionOpensAndTheConditionClears() throws Exception {
        createPeer("edge");
        plan(secured("edge", "edge-password"));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(condition("edge", "Resolved")).containsEntry("status", "False")
                    .containsEntry("reason", "PasswordSecretNotFound")
                    .hasEntrySatisfying("message", m -> assertThat(m.toString())
                            .contains("metallb-system/edge-password").contains("kubernetes.io/basic-auth")
                            .doesNotContain("n1")); // the same on every node: the speakers never fight over it
            assertThat(condition("edge", "Supported")).containsEntry("status", "True");
            assertThat(warnings("edge", "PasswordSecretNotFound")).singleElement().satisfies(e -> {
                assertThat(e.getMessage()).startsWith("node n1: ").contains("metallb-system/edge-password");
                assertThat(e.getSource().getHost()).isEqualTo("n1");
            });
        });
        assertThat(sessionPeers()).isEmpty();

        // the speaker looks again by itself (growing delay); the cause is the same, so no second Event
        int before = plans.get();
        await().atMost(Duration.ofSeconds(30)).until(() -> plans.get() >= before + 2);
        assertThat(warnings("edge", "PasswordSecretNotFound")).hasSize(1);
        assertThat(sessionPeers()).isEmpty();

        secret("edge-password", "kubernetes.io/basic-auth", Map.of("username", "x", "password", "s3cret"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(sessionPeers()).containsExactly("edge");
            assertThat(condition("edge", "Resolved")).containsEntry("status", "True").containsEntry("reason", "Resolved");
        });
        assertThat(warnings("edge", "PasswordSecretNotFound")).hasSize(1);
    }

    @Test
    void aSecretOfTheWrongTypeOrWithoutTheKeyIsRefusedEachCauseReportedOnce() throws Exception {
        createPeer("typed");
        secret("typed-password", "Opaque", Map.of("password", "s3cret"));
        plan(secured("typed", "typed-password"));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(condition("typed", "Resolved")).containsEntry("status", "False")
                    .containsEntry("reason", "PasswordSecretWrongType")
                    .hasEntrySatisfying("message", m -> assertThat(m.toString()).contains("of type Opaque, not kubernetes.io/basic-auth"));
            assertThat(warnings("typed", "PasswordSecretWrongType")).singleElement();
        });
        assertThat(sessionPeers()).isEmpty();

        // fixed the type but forgot the key: a new cause, a new Event; the earlier one stays single
        secret("typed-password", "kubernetes.io/basic-auth", Map.of("username", "x"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(condition("typed", "Resolved")).containsEntry("status", "False")
                    .containsEntry("reason", "PasswordSecretKeyMissing");
            assertThat(warnings("typed", "PasswordSecretKeyMissing")).singleElement()
                    .satisfies(e -> assertThat(e.getMessage()).contains("has no key password"));
        });
        assertThat(warnings("typed", "PasswordSecretWrongType")).hasSize(1);
        assertThat(sessionPeers()).isEmpty();
    }

    @Test
    void aSourceAddressTheNodeDoesNotHaveIsAnEventOfThisNodeNotACondition() throws Exception {
        createPeer("sourced");
        plan(peer("sourced").setSourceAddress("192.0.2.77"));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(warnings("sourced", "SourceAddressNotOnNode")).singleElement()
                    .satisfies(e -> assertThat(e.getMessage()).isEqualTo("node n1: sourceAddress 192.0.2.77 is not an address of this node"));
            assertThat(condition("sourced", "Resolved")).containsEntry("status", "True");
        });
        assertThat(sessionPeers()).isEmpty();
    }
}
