package io.ledgerlb.speaker.health;

import io.ledgerlb.speaker.metrics.SpeakerMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether each part of the speaker that must keep running (the ledger follower, each capture
 * thread, the membership loop) is working, and the speaker's readiness from them: {@code /readyz}
 * answers 200 only while every part is up. A part going down is never quiet: an ERROR line, the
 * gauge {@code ledgerlb_speaker_component_up{component}} at 0, the counter
 * {@code ledgerlb_speaker_component_failures_total{component}} and whatever the listeners do (a
 * Kubernetes Event on the node). A part starts down without any of that ("not started yet").
 */
public final class Health {
    private static final Logger log = LoggerFactory.getLogger(Health.class);

    /** A transition of one part, as the listeners are told. */
    public record Change(String component, boolean up, String reason) {}

    private record Part(boolean up, String reason) {}

    private final SpeakerMetrics metrics;
    private final Map<String, Part> parts = new ConcurrentHashMap<>();
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();
    private final List<java.util.function.Consumer<Change>> listeners = new CopyOnWriteArrayList<>();

    public Health(SpeakerMetrics metrics) {
        this.metrics = metrics;
    }

    /** Adds a part, down until {@link #up}, without a failure. */
    public void starting(String component, String why) {
        if (parts.putIfAbsent(component, new Part(false, why)) == null) {
            Gauge.builder("ledgerlb_speaker_component_up", () -> parts.get(component).up() ? 1 : 0)
                    .description("1 while this part of the speaker works, 0 while it is down or not started")
                    .tag("component", component).register(metrics.registry());
            failures.put(component, Counter.builder("ledgerlb_speaker_component_failures")
                    .description("How often this part of the speaker went down").tag("component", component)
                    .register(metrics.registry()));
        }
        publish();
    }

    public void onChange(java.util.function.Consumer<Change> listener) {
        listeners.add(listener);
    }

    public synchronized void up(String component) {
        starting(component, "");
        Part before = parts.put(component, new Part(true, ""));
        if (!before.up()) {
            if (failures.get(component).count() > 0) {
                log.atInfo().addKeyValue("event", "componentRecovered").addKeyValue("component", component)
                        .log("speaker part works again");
            }
            tell(new Change(component, true, ""));
        }
        publish();
    }

    public synchronized void down(String component, String reason) {
        starting(component, reason);
        Part before = parts.put(component, new Part(false, reason));
        if (before.up() || !before.reason().equals(reason)) {
            failures.get(component).increment();
            log.atError().addKeyValue("event", "componentDown").addKeyValue("component", component)
                    .addKeyValue("reason", reason).log("speaker part is down: " + reason);
            tell(new Change(component, false, reason));
        }
        publish();
    }

    /** Why the part is down; empty while it is up. */
    public Optional<String> problem(String component) {
        Part part = parts.get(component);
        return part == null || part.up() ? Optional.empty() : Optional.of(part.reason());
    }

    /** A part cannot come back without restarting the process: {@code /healthz} fails from now on. */
    public void dead() {
        metrics.live(false);
    }

    public boolean ready() {
        return !parts.isEmpty() && parts.values().stream().allMatch(Part::up);
    }

    private void tell(Change change) {
        for (var listener : listeners) {
            try {
                listener.accept(change);
            } catch (RuntimeException e) {
                log.warn("a health listener failed: {}", e.toString());
            }
        }
    }

    private void publish() {
        metrics.ready(ready());
    }
}
