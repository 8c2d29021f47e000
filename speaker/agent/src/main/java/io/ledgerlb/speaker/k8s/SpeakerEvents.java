package io.ledgerlb.speaker.k8s;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ledgerlb.kube.EventRecorder;
import io.ledgerlb.kube.health.HealthEvents;

/** Kubernetes Events from a speaker: component {@code ledgerlb-speaker}, its node as their source. */
public final class SpeakerEvents {
    static final String COMPONENT = "ledgerlb-speaker";

    private SpeakerEvents() {}

    static EventRecorder recorder(KubernetesClient client, String node) {
        return new EventRecorder(client, COMPONENT, node, node);
    }

    /**
     * A part of the speaker going down or working again, as an Event on this speaker's Node
     * ({@code SpeakerComponentDown}, {@code SpeakerComponentUp}). Node Events live in the
     * {@code default} namespace.
     */
    public static HealthEvents healthEvents(KubernetesClient client, String node) {
        return new HealthEvents(recorder(client, node), new ObjectReferenceBuilder().withApiVersion("v1").withKind("Node")
                .withName(node).withNamespace("default").build());
    }
}
