package io.ledgerlb.kube.health;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether each part a process cannot do without works, and the process's readiness from them, for
 * the allocator and the speaker alike: {@code /readyz} answers 200 only while every part is up, and
 * 503 with each part's reason otherwise. A part going down is never quiet: a WARN line
 * ({@code "event":"componentDown"}), the gauge {@code ledgerlb_<process>_component_up{component}}
 * at 0, the counter {@code ledgerlb_<process>_component_failures_total{component}} and whatever the
 * listeners do (a Kubernetes Event, {@link HealthEvents}). A part that has not worked yet is
 * "starting": not ready, but none of that.
 */
public final class Health {
    private static final Logger log = LoggerFactory.getLogger(Health.class);

    /** A transition of one part, as the listeners are told. */
    public record Change(String process, String component, boolean up, String reason) {}

    /** What a check found about a part: up, starting (has not worked yet) or down, and why. */
    public record Status(boolean up, boolean starting, String reason) {
        public static Status working() {
            return new Status(true, false, "");
        }

        public static Status starting(String why) {
            return new Status(false, true, why);
        }

        public static Status down(String reason) {
            return new Status(false, false, reason);
        }
    }

    /** {@code reported}: false while the part is quietly starting, true once it was up or down. */
    private record Part(boolean up, boolean reported, String reason) {}

    private final MeterRegistry registry;
    private final String process;
    private final Map<String, Part> parts = new ConcurrentHashMap<>();
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();
    private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean live = true;

    /** @param process {@code allocator} or {@code speaker}: the metric names and the log lines carry it */
    public Health(MeterRegistry registry, String process) {
        this.registry = registry;
        this.process = process;
    }

    public String process() {
        return process;
    }

    public void onChange(Consumer<Change> listener) {
        listeners.add(listener);
    }

    /** Adds a part, not ready with {@code why}, quietly; once it was up or down, starting again counts as {@link #down}. */
    public synchronized void starting(String component, String why) {
        Part part = parts.get(component);
        if (part == null) {
            register(component, why);
        } else if (part.reported()) {
            down(component, why);
        } else {
            parts.put(component, new Part(false, false, why));
        }
    }

    public synchronized void up(String component) {
        if (!parts.containsKey(component)) {
            register(component, "");
        }
        Part before = parts.put(component, new Part(true, true, ""));
        if (!before.up()) {
            if (failures.get(component).count() > 0) {
                log.atInfo().addKeyValue("event", "componentRecovered").addKeyValue("process", process)
                        .addKeyValue("component", component).log(process + " part " + component + " works again");
            }
            tell(new Change(process, component, true, ""));
        }
    }

    public synchronized void down(String component, String reason) {
        if (!parts.containsKey(component)) {
            register(component, reason);
        }
        Part before = parts.put(component, new Part(false, true, reason));
        if (before.up() || !before.reported() || !before.reason().equals(reason)) {
            failures.get(component).increment();
            log.atWarn().addKeyValue("event", "componentDown").addKeyValue("process", process)
                    .addKeyValue("component", component).addKeyValue("reason", reason)
                    .log(process + " part " + component + " is down: " + reason);
            tell(new Change(process, component, false, reason));
        }
    }

    /** A new part, quietly starting, with its gauge and failure counter. */
    private void register(String component, String why) {
        parts.put(component, new Part(false, false, why));
        String prefix = "ledgerlb_" + process + "_component_";
        Gauge.builder(prefix + "up", () -> parts.get(component).up() ? 1 : 0)
                .description("1 while this part of the " + process + " works, 0 while it is down or starting")
                .tag("component", component).register(registry);
        failures.put(component, Counter.builder(prefix + "failures")
                .description("How often this part of the " + process + " went down").tag("component", component)
                .register(registry));
    }

    /** Records what a check found. */
    public void report(String component, Status status) {
        if (status.up()) {
            up(component);
        } else if (status.starting()) {
            starting(component, status.reason());
        } else {
            down(component, status.reason());
        }
    }

    /** Why the part is not up; empty while it is. */
    public Optional<String> problem(String component) {
        Part part = parts.get(component);
        return part == null || part.up() ? Optional.empty() : Optional.of(part.reason());
    }

    /** Each part that is not up, as {@code component: reason}, by component; empty while ready. */
    public List<String> notReady() {
        if (parts.isEmpty()) {
            return List.of("nothing reported yet");
        }
        return parts.entrySet().stream().filter(e -> !e.getValue().up()).sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + ": " + e.getValue().reason()).toList();
    }

    public boolean ready() {
        return !parts.isEmpty() && parts.values().stream().allMatch(Part::up);
    }

    /** A part cannot come back without restarting the process: {@code /healthz} fails from now on. */
    public void dead() {
        live = false;
    }

    /** False once the process must be restarted ({@code /healthz}). */
    public boolean live() {
        return live;
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
}
