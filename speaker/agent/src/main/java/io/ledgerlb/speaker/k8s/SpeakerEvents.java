package io.ledgerlb.speaker.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.ledgerlb.kube.EventRecorder;

/** Kubernetes Events from a speaker: component {@code ledgerlb-speaker}, its node as their source. */
final class SpeakerEvents {
    static final String COMPONENT = "ledgerlb-speaker";

    private SpeakerEvents() {}

    static EventRecorder recorder(KubernetesClient client, String node) {
        return new EventRecorder(client, COMPONENT, node, node);
    }
}
