package io.ledgerlb.kube.health;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.ledgerlb.kube.Daemons;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks each part of a process every {@code every} and reports what it finds to {@link Health}. A
 * part that stopped is restarted in place when it can be ({@link Part#restartable}), after 1 s, then
 * doubling up to a minute while it keeps stopping; one that cannot ({@link Part#fatal}: a speaker's
 * membership, whose state is in its loop) makes {@link Health#live} false, so {@code /healthz} fails
 * and the kubelet restarts the container; the others ({@link Part#reported}) are only reported.
 */
public final class Supervisor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

    /** One supervised part: how to check it, how to start it again, and whether it going down ends the process. */
    public record Part(String component, Supplier<Health.Status> check, Optional<Runnable> restart, boolean fatal) {
        /** A thread that is started again in place when it stopped. */
        public static Part restartable(String component, BooleanSupplier working, Runnable restart) {
            return new Part(component, () -> working.getAsBoolean() ? Health.Status.working()
                    : Health.Status.down("its thread stopped; restarting it"), Optional.of(restart), false);
        }

        /** A thread that cannot be started again in place: the process must be restarted. */
        public static Part fatal(String component, BooleanSupplier working) {
            return new Part(component, () -> working.getAsBoolean() ? Health.Status.working()
                    : Health.Status.down("its thread stopped and cannot be restarted in place;"
                            + " /healthz fails so the container is restarted"), Optional.empty(), true);
        }

        /** A condition that is only reported (informers synced, a leader known, the ledger fresh). */
        public static Part reported(String component, Supplier<Health.Status> check) {
            return new Part(component, check, Optional.empty(), false);
        }
    }

    private static final long FIRST_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Health health;
    private final List<Part> parts;
    /** Per part: when it may be restarted next, and the wait after that (doubling while it keeps stopping). */
    private final Map<String, long[]> backoff = new HashMap<>();
    private final ScheduledExecutorService thread = Daemons.thread("supervisor");

    public Supervisor(Health health, List<Part> parts, Duration every) {
        this.health = health;
        this.parts = List.copyOf(parts);
        parts.forEach(p -> health.starting(p.component(), "not checked yet"));
        thread.scheduleWithFixedDelay(this::check, 0, every.toNanos(), TimeUnit.NANOSECONDS);
    }

    void check() {
        for (Part part : parts) {
            try {
                Health.Status status = part.check().get();
                health.report(part.component(), status);
                if (status.up()) {
                    backoff.remove(part.component());
                } else if (part.restart().isPresent() && !status.starting()) {
                    restartWhenDue(part);
                } else if (part.fatal() && !status.starting()) {
                    health.dead();
                }
            } catch (RuntimeException e) {
                log.atError().addKeyValue("event", "checkFailed").addKeyValue("component", part.component())
                        .log("could not check or restart " + part.component() + ": " + e.getMessage(), e);
            }
        }
    }

    private void restartWhenDue(Part part) {
        long now = System.nanoTime();
        long[] next = backoff.computeIfAbsent(part.component(), c -> new long[] {now, FIRST_BACKOFF_NANOS});
        if (now - next[0] >= 0) {
            next[0] = now + next[1];
            next[1] = Math.min(MAX_BACKOFF_NANOS, next[1] * 2);
            part.restart().get().run();
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
