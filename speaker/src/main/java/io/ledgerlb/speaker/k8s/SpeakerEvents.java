package io.ledgerlb.speaker.k8s;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;

/** Kubernetes Events from a speaker: on an object, with this node as their source. */
final class SpeakerEvents {
    private SpeakerEvents() {
    }

    /** @param type {@code Normal} or {@code Warning} */
    static void record(KubernetesClient client, String node, ObjectReference about, String type, String reason, String message) {
        String now = Instant.now().toString();
        client.v1().events().inNamespace(about.getNamespace()).resource(new EventBuilder()
                .withNewMetadata().withNamespace(about.getNamespace())
                        .withName(about.getName() + "." + Long.toHexString(System.nanoTime())).endMetadata()
                .withInvolvedObject(about)
                .withType(type)
                .withReason(reason)
                .withMessage(message)
                .withNewSource().withComponent("ledgerlb-speaker").withHost(node).endSource()
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build()).create();
    }
}
