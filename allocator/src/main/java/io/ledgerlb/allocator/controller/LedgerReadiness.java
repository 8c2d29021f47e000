package io.ledgerlb.allocator.controller;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger's part of the allocator's {@code /readyz}. Every {@code checkEvery} a probe, on a
 * thread of its own (it blocks while Kafka is down), reads where the ledger ends. Not ready when:
 * <ul>
 *   <li>no probe answered within {@code bound}: the ledger can be neither read nor written;</li>
 *   <li>the leader's last append failed: its decisions wait for a retry, which must commit first;</li>
 *   <li>the leader's committed state is behind the end the last probe found (not caught up).</li>
 * </ul>
 * A standby folds nothing until it leads, so only the probe counts for it. Each change is logged,
 * a loss of readiness at WARN with its reason.
 */
public final class LedgerReadiness implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LedgerReadiness.class);

    private final Callable<Long> ledgerEnd;
    private final AllocatorController controller;
    private final long boundNanos;
    /** Two threads: the checks go on while a probe blocks on an unreachable Kafka (one probe at a time). */
    private final ScheduledExecutorService threads = Executors.newScheduledThreadPool(2, LedgerReadiness::daemonThread);
    private final long startedAt = System.nanoTime();
    private volatile long answeredAt;
    private volatile long end = -1;
    private volatile boolean probeFailing;
    private Future<?> probe;
    private String lastKind = "starting";

    /**
     * @param ledgerEnd the last sequence of the verified chain (may block while Kafka is unreachable)
     * @param bound     how long the ledger may stay unanswering before the allocator is not ready
     */
    public LedgerReadiness(Callable<Long> ledgerEnd, AllocatorController controller, Duration bound, Duration checkEvery) {
        this.ledgerEnd = ledgerEnd;
        this.controller = controller;
        this.boundNanos = bound.toNanos();
        threads.scheduleWithFixedDelay(this::check, 0, checkEvery.toNanos(), TimeUnit.NANOSECONDS);
    }

    public boolean ready() {
        return notReady().isEmpty();
    }

    /** Why the allocator is not ready as far as the ledger goes; empty when it is. */
    public Optional<String> reason() {
        return notReady().map(NotReady::text);
    }

    /** A reason not to be ready: its kind (for logging each change once) and what to tell. */
    private record NotReady(String kind, String text) {}

    private Optional<NotReady> notReady() {
        long now = System.nanoTime();
        long answered = answeredAt;
        if (answered == 0) {
            return Optional.of(now - startedAt > boundNanos
                    ? new NotReady("unanswered", "Kafka has not answered since the start, "
                            + TimeUnit.NANOSECONDS.toSeconds(now - startedAt) + " s ago")
                    : new NotReady("starting", "the ledger's end is not read yet"));
        }
        if (now - answered > boundNanos) {
            return Optional.of(new NotReady("unanswered", "Kafka has not answered for "
                    + TimeUnit.NANOSECONDS.toSeconds(now - answered) + " s: the ledger can be neither read nor written"));
        }
        if (controller.leading()) {
            Optional<String> failing = controller.appendFailing();
            if (failing.isPresent()) {
                return Optional.of(new NotReady("appendFailing",
                        "appending decisions to the ledger failed (retrying): " + failing.get()));
            }
            long folded = controller.withState(s -> s.sequence());
            if (folded < end) {
                return Optional.of(new NotReady("behind",
                        "the committed state is at sequence " + folded + ", the ledger ends at " + end));
            }
        }
        return Optional.empty();
    }

    private synchronized void check() {
        try {
            if (probe == null || probe.isDone()) {
                probe = threads.submit(this::probe);
            }
            Optional<NotReady> now = notReady();
            String kind = now.map(NotReady::kind).orElse("ready");
            if (!kind.equals(lastKind)) {
                if (now.isEmpty()) {
                    log.info("the ledger answers and this allocator is caught up with it: ready");
                } else if (!kind.equals("starting")) {
                    log.warn("not ready: {}", now.get().text());
                }
                lastKind = kind;
            }
        } catch (RuntimeException e) {
            log.error("checking the ledger's readiness failed", e);
        }
    }

    private void probe() {
        long started = System.nanoTime();
        try {
            end = ledgerEnd.call();
            answeredAt = started;
            probeFailing = false;
        } catch (Exception e) {
            if (!probeFailing) { // once per outage: the checks log what it means for readiness
                log.warn("could not read where the ledger ends: {}", e.toString());
            }
            probeFailing = true;
        }
    }

    private static Thread daemonThread(Runnable work) {
        Thread thread = new Thread(work, "ledger-readiness");
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
