package io.ledgerlb.allocator.k8s.adapter;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes Kubernetes Events (what {@code kubectl describe} shows) on the objects the allocator handles. */
public final class EventRecorder {
    public static final String COMPONENT = "ledgerlb-allocator";
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

    private final KubernetesClient client;
    private final String instance;
    private final AtomicLong counter = new AtomicLong();

    public EventRecorder(KubernetesClient client, String instance) {
        this.client = client;
        this.instance = instance;
    }

    /** Best effort: an event that cannot be written is logged, never retried. */
    public void record(HasMetadata object, Note note) {
        var meta = object.getMetadata();
        String namespace = meta.getNamespace() == null ? "default" : meta.getNamespace();
        String now = Instant.now().toString();
        var event = new EventBuilder()
                .withNewMetadata()
                    .withNamespace(namespace)
                    .withName(meta.getName() + "." + Long.toHexString(System.currentTimeMillis())
                            + Long.toHexString(counter.incrementAndGet()))
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(object.getApiVersion()).withKind(object.getKind())
                        .withNamespace(namespace).withName(meta.getName()).withUid(meta.getUid())
                        .withResourceVersion(meta.getResourceVersion())
                        .build())
                .withType(note.type()).withReason(note.reason()).withMessage(note.message())
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent(COMPONENT).withReportingInstance(instance)
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build();
        try {
            client.v1().events().inNamespace(namespace).resource(event).create();
        } catch (KubernetesClientException e) {
            log.warn("could not record event {} on {}/{}: {}", note.reason(), namespace, meta.getName(), e.getMessage());
        }
    }
}
