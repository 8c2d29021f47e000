package io.ledgerlb.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes objects to the API server by key (a Service's status, a speaker's status object), on the
 * writer's threads: requests for a key coalesce (at most one write of a key waits), and a write the
 * API refuses is tried again with {@link WriteRetries}' growing delay. A write makes the object
 * what is wanted when it runs, so a retry never writes something out of date. Both the allocator's
 * {@code ServiceWriteBack} and the speaker's {@code StatusWriter} write through one of these.
 */
public final class RetryingWriter<K> {
    private static final Logger log = LoggerFactory.getLogger(RetryingWriter.class);

    private final ScheduledExecutorService threads;
    private final String kind;
    private final Function<K, String> name;
    private final Consumer<K> write;
    private final WriteRetries<K> retries;
    private final Set<K> queued = ConcurrentHashMap.newKeySet();

    /**
     * @param threads where writes and retries run (one thread: the writer's state needs no lock)
     * @param kind    what is written, for the log ({@code Service}, {@code ServiceL2Status})
     * @param name    a key as the log names it ({@code namespace/name})
     * @param write   makes the object of a key what is wanted now; throws {@link KubernetesClientException} when refused
     */
    public RetryingWriter(ScheduledExecutorService threads, String kind, Function<K, String> name, Consumer<K> write) {
        this.threads = threads;
        this.kind = kind;
        this.name = name;
        this.write = write;
        this.retries = new WriteRetries<>(threads);
    }

    /** Writes {@code key} on the writer's threads, unless a write of it is already waiting. */
    public void submit(K key) {
        if (queued.add(key)) {
            try {
                threads.execute(() -> {
                    queued.remove(key);
                    writeNow(key);
                });
            } catch (RejectedExecutionException closed) {
                queued.remove(key);
            }
        }
    }

    /** Writes {@code key} now, on the calling thread (one of the writer's); a refusal is retried later. */
    public void writeNow(K key) {
        try {
            write.accept(key);
            retries.done(key);
        } catch (KubernetesClientException e) {
            long delay = retries.failed(key, this::submit);
            log.atWarn().addKeyValue("event", "statusNotWritten").addKeyValue("kind", kind)
                    .addKeyValue("object", name.apply(key)).addKeyValue("attempt", retries.failures(key))
                    .addKeyValue("retryMillis", delay).addKeyValue("error", e.getMessage())
                    .log("could not write to the API server; will retry");
        }
    }
}
