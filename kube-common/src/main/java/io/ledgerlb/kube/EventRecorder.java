package io.ledgerlb.kube;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes Kubernetes Events (what {@code kubectl describe} shows), for the allocator and the
 * speaker alike, on a thread of its own so that the API server never slows the caller down. An
 * Event the API refuses for now (see {@link WriteRetries#worthRetrying}) is recorded again later
 * with {@link WriteRetries}' delays, per key, until it goes through; one it rejects for what it is
 * (not found, forbidden, invalid) is logged and dropped. A later Event of the same key replaces one
 * still waiting.
 */
public final class EventRecorder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);

    /** What to say about an object: {@code Normal} or {@code Warning}, a CamelCase reason, a message. */
    public record Note(String type, String reason, String message) {
        public static Note normal(String reason, String message) {
            return new Note("Normal", reason, message);
        }

        public static Note warning(String reason, String message) {
            return new Note("Warning", reason, message);
        }
    }

    /** One Event to record, on the objects {@code about} finds at each try (none: nothing to record it on any more). */
    private record Pending(Supplier<List<ObjectReference>> about, Note note) {}

    private final KubernetesClient client;
    private final String component;
    private final String instance;
    private final String host;
    private final ScheduledExecutorService thread;
    private final WriteRetries<String> retries;
    private final AtomicLong counter = new AtomicLong();
    /** Key → the Event not recorded yet; only on {@link #thread}. */
    private final Map<String, Pending> pending = new HashMap<>();

    /**
     * @param component the source and reporting component ({@code ledgerlb-allocator}, {@code ledgerlb-speaker})
     * @param instance  the reporting instance (the pod, or the node of a speaker)
     * @param host      the source's host (a speaker's node), or null
     */
    public EventRecorder(KubernetesClient client, String component, String instance, String host) {
        this.client = client;
        this.component = component;
        this.instance = instance;
        this.host = host;
        this.thread = WriteRetries.writerThread(component + "-events");
        this.retries = new WriteRetries<>(thread);
    }

    /** A reference to {@code object} for an Event. */
    public static ObjectReference reference(HasMetadata object) {
        var meta = object.getMetadata();
        return new ObjectReferenceBuilder().withApiVersion(object.getApiVersion()).withKind(object.getKind())
                .withNamespace(meta.getNamespace()).withName(meta.getName()).withUid(meta.getUid())
                .withResourceVersion(meta.getResourceVersion()).build();
    }

    /** Records an Event on {@code object}, with retries of its own (no later Event replaces it). */
    public void record(HasMetadata object, Note note) {
        ObjectReference about = reference(object);
        record("once/" + counter.incrementAndGet(), () -> List.of(about), note);
    }

    /** Records an Event on {@code about}; {@code key} names it for its retries (a later Event of the same key replaces it). */
    public void record(String key, ObjectReference about, Note note) {
        record(key, () -> List.of(about), note);
    }

    /** As {@link #record(String, ObjectReference, Note)}, on the objects {@code about} finds at each try. */
    public void record(String key, Supplier<List<ObjectReference>> about, Note note) {
        try {
            thread.execute(() -> {
                pending.put(key, new Pending(about, note));
                send(key);
            });
        } catch (RejectedExecutionException closed) {
            log.debug("closed: not recording {}", note.reason());
        }
    }

    private void send(String key) {
        Pending event = pending.get(key);
        if (event == null) {
            return;
        }
        try {
            for (ObjectReference about : event.about().get()) {
                create(about, event.note());
            }
            pending.remove(key);
            retries.done(key);
        } catch (KubernetesClientException e) {
            if (WriteRetries.worthRetrying(e.getCode())) {
                log.atWarn().addKeyValue("event", "eventNotRecorded").addKeyValue("reason", event.note().reason())
                        .addKeyValue("retryMillis", retries.failed(key, this::send)).addKeyValue("error", e.getMessage())
                        .log("could not record a Kubernetes Event; will retry");
            } else {
                pending.remove(key);
                retries.done(key);
                log.atWarn().addKeyValue("event", "eventNotRecorded").addKeyValue("reason", event.note().reason())
                        .addKeyValue("error", e.getMessage()).log("the API refused a Kubernetes Event; dropped");
            }
        }
    }

    private void create(ObjectReference about, Note note) {
        String now = Instant.now().toString();
        // an Event about a cluster-scoped object (a Node) lives in "default", as kubectl and the kubelet put them
        String namespace = about.getNamespace() == null || about.getNamespace().isEmpty() ? "default" : about.getNamespace();
        client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                .withNewMetadata().withNamespace(namespace)
                        .withName(about.getName() + "." + Long.toHexString(System.currentTimeMillis())
                                + Long.toHexString(counter.incrementAndGet())).endMetadata()
                .withInvolvedObject(about)
                .withType(note.type()).withReason(note.reason()).withMessage(note.message())
                .withNewSource().withComponent(component).withHost(host).endSource()
                .withReportingComponent(component).withReportingInstance(instance)
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build()).create();
    }

    /** Stops recording; Events still waiting for a retry are dropped. */
    @Override
    public void close() {
        thread.shutdownNow();
    }
}
