package io.ledgerlb.speaker.health;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, every {@code every}, that each thread the speaker cannot do without still runs (a
 * capture thread per interface, the membership loops) and reports it to {@link Health}. A part
 * that stopped is restarted in place when it can be ({@link Part#restart}), after 1 s, then
 * doubling up to a minute while it keeps stopping; one that cannot (the
 * membership, whose state is in the loop) makes {@link Health#live} false, so {@code /healthz}
 * fails and the kubelet restarts the container.
 */
public final class Supervisor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

    /** One supervised part: whether it works, and how to start it again (none: restart the process). */
    public record Part(String component, BooleanSupplier working, Optional<Runnable> restart) {}

    private static final long FIRST_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Health health;
    private final List<Part> parts;
    /** Per part: when it may be restarted next, and the wait after that (doubling while it keeps stopping). */
    private final Map<String, long[]> backoff = new HashMap<>();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "supervisor");
        t.setDaemon(true);
        return t;
    });

    public Supervisor(Health health, List<Part> parts, Duration every) {
        this.health = health;
        this.parts = List.copyOf(parts);
        parts.forEach(p -> health.starting(p.component(), "not checked yet"));
        thread.scheduleWithFixedDelay(this::check, 0, every.toNanos(), TimeUnit.NANOSECONDS);
    }

    void check() {
        for (Part part : parts) {
            try {
                if (part.working().getAsBoolean()) {
                    health.up(part.component());
                    backoff.remove(part.component());
                } else if (part.restart().isPresent()) {
                    health.down(part.component(), "its thread stopped; restarting it");
                    long now = System.nanoTime();
                    long[] next = backoff.computeIfAbsent(part.component(), c -> new long[] {now, FIRST_BACKOFF_NANOS});
                    if (now - next[0] >= 0) {
                        next[0] = now + next[1];
                        next[1] = Math.min(MAX_BACKOFF_NANOS, next[1] * 2);
                        part.restart().get().run();
                    }
                } else {
                    health.down(part.component(), "its thread stopped and cannot be restarted in place; /healthz fails so the container is restarted");
                    health.dead();
                }
            } catch (RuntimeException e) {
                log.atError().addKeyValue("event", "restartFailed").addKeyValue("component", part.component())
                        .log("could not restart " + part.component() + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
