package io.ledgerlb.allocator.k8s.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ledgerlb.allocator.controller.MockCluster;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The allocator's {@code Valid} condition is merged by type: a speaker's condition on the same BGPPeer stays. */
class ConfigStatusWriterTest {
    static final Map<String, Object> SPEAKERS = Map.of("type", "Supported", "status", "False",
            "reason", "UnsupportedByNativeBackend", "message", "the native BGP backend cannot serve this peer");

    final MockCluster cluster = new MockCluster();
    final KubernetesClient client = cluster.client();
    final ConfigStatusWriter writer = new ConfigStatusWriter(client);

    @AfterEach
    void close() {
        cluster.close();
    }

    GenericKubernetesResource read() {
        return client.genericKubernetesResources(MetalLbKinds.BGP_PEER.context()).inNamespace("metallb-system")
                .withName("tor").get();
    }

    /** A BGPPeer on which a speaker already wrote its condition; returns the copy from before that write. */
    GenericKubernetesResource peerWithTheSpeakersCondition() {
        var peers = client.genericKubernetesResources(MetalLbKinds.BGP_PEER.context()).inNamespace("metallb-system");
        GenericKubernetesResource before = peers.resource(new GenericKubernetesResourceBuilder()
                .withApiVersion(MetalLbKinds.BGP_PEER.apiVersion()).withKind("BGPPeer")
                .withNewMetadata().withName("tor").withNamespace("metallb-system").endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("myASN", 64512, "peerASN", 64513, "peerAddress", "192.0.2.1"))).build())
                .create();
        GenericKubernetesResource speakers = client.getKubernetesSerialization().clone(before);
        speakers.setAdditionalProperty("status", Map.of("conditions", List.of(SPEAKERS)));
        peers.resource(speakers).updateStatus();
        return before;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> conditionsByType(GenericKubernetesResource object) {
        Map<String, Object> status = (Map<String, Object>) object.getAdditionalProperties().get("status");
        Map<String, Map<String, Object>> byType = new TreeMap<>();
        ((List<Map<String, Object>>) status.get("conditions")).forEach(c -> byType.put((String) c.get("type"), c));
        return byType;
    }

    @Test
    void validIsWrittenBesideTheSpeakersConditionAndReplacedInPlace() {
        peerWithTheSpeakersCondition();
        writer.write(MetalLbKinds.BGP_PEER, read(), Optional.empty(), Optional.empty());
        assertThat(conditionsByType(read())).containsOnlyKeys("Supported", "Valid");
        assertThat(conditionsByType(read()).get("Valid")).containsEntry("status", "True");

        writer.write(MetalLbKinds.BGP_PEER, read(), Optional.of("spec.peerASN: required"), Optional.empty());
        Map<String, Map<String, Object>> conditions = conditionsByType(read());
        assertThat(conditions.get("Valid")).containsEntry("status", "False").containsEntry("message", "spec.peerASN: required");
        assertThat(conditions.get("Supported")).containsAllEntriesOf(SPEAKERS);
        assertThat((List<?>) ((Map<?, ?>) read().getAdditionalProperties().get("status")).get("conditions")).hasSize(2);
    }

    @Test
    void aStaleCopyDoesNotWipeWhatTheSpeakerWroteMeanwhile() {
        GenericKubernetesResource stale = peerWithTheSpeakersCondition();
        writer.write(MetalLbKinds.BGP_PEER, stale, Optional.empty(), Optional.empty());
        assertThat(conditionsByType(read())).containsOnlyKeys("Supported", "Valid");
        assertThat(conditionsByType(read()).get("Supported")).containsAllEntriesOf(SPEAKERS);
    }
}
