package io.ledgerlb.allocator.k8s.adapter;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ledgerlb.allocator.k8s.crd.ConfigurationState;
import io.ledgerlb.kube.RetryingWriter;
import io.ledgerlb.kube.WriteRetries;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The allocator's {@code ConfigurationState}, as MetalLB's controller writes its own: one object
 * named {@code controller} in the allocator's namespace, labelled
 * {@code metallb.io/component-type=controller}, with one condition {@code configReconcilerValid}
 * (reason {@code Reconciled}, or {@code ConfigurationError} with the problems), {@code result}
 * Valid or Invalid and, when invalid, the problems in {@code errorSummary}, one a line. Written on a
 * thread of its own; a write the API refuses is tried again later ({@link RetryingWriter}).
 */
public final class ConfigurationStateWriter implements AutoCloseable {
    static final String CONDITION_TYPE = "configReconcilerValid";

    private final KubernetesClient client;
    private final String namespace;
    private final Map<String, String> problems = new TreeMap<>();
    private final ScheduledExecutorService thread = WriteRetries.writerThread("configuration-state-writer");
    private final RetryingWriter<String> writer;
    /** What the state should say; guarded by this. */
    private ConfigurationState.Status wanted;
    /** What it says, as last written; only on {@link #thread}. */
    private ConfigurationState.Status written;

    public ConfigurationStateWriter(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
        this.writer = new RetryingWriter<>(thread, "ConfigurationState", name -> namespace + "/" + name, name -> write());
    }

    /**
     * Records whether one configuration object was accepted and writes the state if that changed
     * the report.
     *
     * @param object  {@code Kind namespace/name}
     * @param invalid why it was refused; null when it was accepted or is gone
     */
    public synchronized void report(String object, String invalid) {
        if (invalid == null) {
            problems.remove(object);
        } else {
            problems.put(object, object + ": " + invalid);
        }
        String summary = String.join("\n", problems.values());
        ConfigurationState.Status next = new ConfigurationState.Status(List.of(condition(summary)), summary,
                problems.isEmpty() ? ConfigurationState.Result.Valid : ConfigurationState.Result.Invalid);
        wanted = next;
        writer.submit(ConfigurationState.CONTROLLER);
    }

    /** Writes what is wanted now, unless the state already says it. */
    private void write() {
        ConfigurationState.Status next;
        synchronized (this) {
            next = wanted;
        }
        if (written != null && written.result() == next.result()
                && Objects.equals(written.errorSummary(), next.errorSummary())) {
            return;
        }
        write(next);
        written = next;
    }

    private Condition condition(String summary) {
        return new ConditionBuilder().withType(CONDITION_TYPE)
                .withStatus(summary.isEmpty() ? "True" : "False")
                .withReason(summary.isEmpty() ? "Reconciled" : "ConfigurationError")
                .withMessage(summary)
                .withLastTransitionTime(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
                .build();
    }

    private void write(ConfigurationState.Status status) {
        var states = client.resources(ConfigurationState.class).inNamespace(namespace);
        ConfigurationState state = states.withName(ConfigurationState.CONTROLLER).get();
        if (state == null) {
            state = new ConfigurationState();
            state.setMetadata(new ObjectMetaBuilder().withName(ConfigurationState.CONTROLLER).withNamespace(namespace)
                    .withLabels(Map.of(ConfigurationState.COMPONENT_LABEL, "controller")).build());
            state = states.resource(state).create();
        }
        state.setStatus(status);
        states.resource(state).updateStatus();
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
