package io.ledgerlb.speaker.k8s;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ledgerlb.kube.EventRecorder;
import io.ledgerlb.kube.EventRecorder.Note;
import io.ledgerlb.speaker.health.Health;

/**
 * A part of the speaker going down or working again, as an Event on this speaker's Node
 * (Warning {@code SpeakerComponentDown}, Normal {@code SpeakerComponentUp}), recorded with
 * retries on a thread of its own. Node Events live in the {@code default} namespace.
 */
public final class HealthEvents implements AutoCloseable {
    public static final String DOWN = "SpeakerComponentDown";
    public static final String UP = "SpeakerComponentUp";

    private final EventRecorder events;
    private final ObjectReference nodeRef;

    public HealthEvents(KubernetesClient client, String node) {
        this.events = SpeakerEvents.recorder(client, node);
        this.nodeRef = new ObjectReferenceBuilder().withApiVersion("v1").withKind("Node").withName(node)
                .withNamespace("default").build();
    }

    public void record(Health.Change change) {
        // keyed by part and direction: a recovery does not replace a Warning still waiting for the API server
        events.record("health/" + change.component() + (change.up() ? "/up" : "/down"), nodeRef,
                change.up() ? Note.normal(UP, "speaker part " + change.component() + " works again")
                        : Note.warning(DOWN, "speaker part " + change.component() + " is down: " + change.reason()));
    }

    @Override
    public void close() {
        events.close();
    }
}
