package io.ledgerlb.speaker.k8s;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events from a speaker, with its node as their source. A writer records them from its
 * own thread; an Event the API refuses (a server error, too many requests, a conflict, no answer) is recorded
 * again later with the writer's {@link WriteRetries} policy, one retry per key, until it goes
 * through. An Event the API rejects for what it is (not found, forbidden, invalid) is logged and dropped.
 */
final class SpeakerEvents {
    private static final Logger log = LoggerFactory.getLogger(SpeakerEvents.class);

    /**
     * One Event to record.
     *
     * @param about the objects it is about, looked up at each try (none: nothing to record it on any more)
     * @param type  {@code Normal} or {@code Warning}
     */
    private record Pending(Supplier<List<ObjectReference>> about, String type, String reason, String message) {}

    private final KubernetesClient client;
    private final String node;
    private final WriteRetries<String> retries;
    /** Key → the Event not recorded yet. */
    private final Map<String, Pending> pending = new HashMap<>();

    /** @param thread the writer's own thread, which every call must come from */
    SpeakerEvents(KubernetesClient client, String node, ScheduledExecutorService thread) {
        this.client = client;
        this.node = node;
        this.retries = new WriteRetries<>(thread);
    }

    /** Records an Event on {@code about}; {@code key} names it for its retries (a later Event of the same key replaces it). */
    void record(String key, ObjectReference about, String type, String reason, String message) {
        record(key, () -> List.of(about), type, reason, message);
    }

    /** As {@link #record(String, ObjectReference, String, String, String)}, on the objects {@code about} finds at each try. */
    void record(String key, Supplier<List<ObjectReference>> about, String type, String reason, String message) {
        pending.put(key, new Pending(about, type, reason, message));
        send(key);
    }

    private void send(String key) {
        Pending event = pending.get(key);
        if (event == null) {
            return;
        }
        try {
            for (ObjectReference about : event.about().get()) {
                create(about, event);
            }
            pending.remove(key);
            retries.done(key);
        } catch (KubernetesClientException e) {
            if (retried(e.getCode())) {
                log.atWarn().addKeyValue("event", "eventNotRecorded").addKeyValue("reason", event.reason())
                        .addKeyValue("retryMillis", retries.failed(key, this::send)).addKeyValue("error", e.getMessage())
                        .log("could not record a Kubernetes Event; will retry");
            } else {
                pending.remove(key);
                retries.done(key);
                log.atWarn().addKeyValue("event", "eventNotRecorded").addKeyValue("reason", event.reason())
                        .addKeyValue("error", e.getMessage()).log("the API refused a Kubernetes Event; dropped");
            }
        }
    }

    /** A server error, too many requests, a conflict or no answer at all (code 0) may pass later; the rest will not. */
    private static boolean retried(int code) {
        return code == 0 || code >= HttpURLConnection.HTTP_INTERNAL_ERROR || code == 429 || code == HttpURLConnection.HTTP_CONFLICT;
    }

    private void create(ObjectReference about, Pending event) {
        String now = Instant.now().toString();
        // an Event about a cluster-scoped object (a Node) lives in "default", as kubectl and the kubelet put them
        String namespace = about.getNamespace() == null || about.getNamespace().isEmpty() ? "default" : about.getNamespace();
        client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                .withNewMetadata().withNamespace(namespace)
                        .withName(about.getName() + "." + Long.toHexString(System.nanoTime())).endMetadata()
                .withInvolvedObject(about)
                .withType(event.type())
                .withReason(event.reason())
                .withMessage(event.message())
                .withNewSource().withComponent("ledgerlb-speaker").withHost(node).endSource()
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build()).create();
    }
}
