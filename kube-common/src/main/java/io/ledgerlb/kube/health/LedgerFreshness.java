package io.ledgerlb.kube.health;

import io.ledgerlb.kube.Daemons;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a process's folded ledger state is fresh, the one notion behind the allocator's and the
 * speaker's {@code ledger} part ({@code --ledger-stale-after-ms} in both). At each {@link #check} a
 * probe, on a thread of its own (it blocks while Kafka is down; one at a time), reads where the
 * ledger ends and compares it with the sequence the process has folded. The verdict:
 * <ul>
 *   <li>{@code STARTING}: no probe has answered yet, within the bound since the start;</li>
 *   <li>{@code UNANSWERED}: no probe has answered for longer than the bound: the ledger can be
 *       neither read nor written (by anyone);</li>
 *   <li>{@code BEHIND}: probes answer, but the folded state has not been found at the ledger's end
 *       for longer than the bound: it is known stale;</li>
 *   <li>{@code FRESH}: otherwise.</li>
 * </ul>
 * What a process does about a verdict is its own (the speaker stops planning from a state known
 * stale; the allocator reports it); the reason is the same text, logged by {@link Health}. A
 * reason stays the same while its cause lasts, so each cause is one WARN line and one failure.
 */
public final class LedgerFreshness implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LedgerFreshness.class);

    public enum State { STARTING, FRESH, BEHIND, UNANSWERED }

    public record Verdict(State state, String reason) {
        public boolean fresh() {
            return state == State.FRESH;
        }

        /** As a {@link Health} part's status. */
        public Health.Status status() {
            return switch (state) {
                case FRESH -> Health.Status.working();
                case STARTING -> Health.Status.starting(reason);
                case BEHIND, UNANSWERED -> Health.Status.down(reason);
            };
        }
    }

    private final Callable<Long> ledgerEnd;
    private final Supplier<OptionalLong> folded;
    private final long boundNanos;
    private final LongSupplier clock;
    private final ExecutorService probes = Daemons.thread("ledger-probe");
    private final long startedAt;
    /** When the last probe that Kafka answered ended; 0: none yet. */
    private volatile long answeredAt;
    /**
     * When the folded state was last found at the ledger's end: the start of that probe, as entries
     * appended while it ran may be missing (from the start: the bound counts from there).
     */
    private volatile long confirmedAt;
    /** How far behind the first probe of the current stretch behind found the folded state; 0 while at the end. */
    private volatile long behindBy;
    private volatile boolean probeFailing;
    private Future<?> probe;

    /**
     * @param ledgerEnd the last sequence of the verified chain (may block while Kafka is unreachable)
     * @param folded    the sequence the process has folded; empty when it folds nothing (a standby
     *                  allocator), so only whether the ledger answers counts
     * @param bound     how long the ledger may stay unanswering, or the state behind, before it is not fresh
     */
    public LedgerFreshness(Callable<Long> ledgerEnd, Supplier<OptionalLong> folded, Duration bound) {
        this(ledgerEnd, folded, bound, System::nanoTime);
    }

    LedgerFreshness(Callable<Long> ledgerEnd, Supplier<OptionalLong> folded, Duration bound, LongSupplier clock) {
        this.ledgerEnd = ledgerEnd;
        this.folded = folded;
        this.boundNanos = bound.toNanos();
        this.clock = clock;
        this.startedAt = clock.getAsLong();
        this.confirmedAt = startedAt;
    }

    /** Added to every "not answered" reason (how to fix what is likely wrong); empty by default. */
    private volatile String unansweredHint = "";

    /** Sets what every "not answered" reason ends with (see {@code KafkaClientOptions.credentialsHint}). */
    public void unansweredHint(String hint) {
        unansweredHint = hint;
    }

    /** The folded state is at the ledger's end now (a follower caught up): as good as a probe that found it there. */
    public void confirmed() {
        long now = clock.getAsLong();
        answeredAt = now;
        confirmedAt = now;
    }

    /** Starts a probe unless one runs, and gives the verdict from what the probes found so far. */
    public synchronized Verdict check() {
        if (probe == null || probe.isDone()) {
            probe = probes.submit(this::probe);
        }
        return verdict();
    }

    /** For tests: waits for the probe under way to end. */
    synchronized void awaitProbe() throws Exception {
        if (probe != null) {
            probe.get();
        }
    }

    Verdict verdict() {
        long now = clock.getAsLong();
        long answered = answeredAt;
        String bound = seconds(boundNanos) + " s";
        if (answered == 0) {
            return now - startedAt > boundNanos
                    ? new Verdict(State.UNANSWERED, "Kafka has not answered a read of the ledger's end since the start,"
                            + " over " + bound + " ago" + unansweredHint)
                    : new Verdict(State.STARTING, "the ledger's end is not read yet");
        }
        if (now - answered > boundNanos) {
            return new Verdict(State.UNANSWERED, "Kafka has not answered a read of the ledger's end for over " + bound
                    + unansweredHint);
        }
        if (now - confirmedAt > boundNanos) {
            return new Verdict(State.BEHIND, "the folded state has been behind the ledger's end for over " + bound
                    + " (" + behindBy + " entries at the first probe that found it so)");
        }
        return new Verdict(State.FRESH, "");
    }

    private void probe() {
        long started = clock.getAsLong();
        try {
            long end = ledgerEnd.call();
            OptionalLong at = folded.get();
            answeredAt = clock.getAsLong(); // Kafka answered now, however long the probe took
            long behind = at.isPresent() ? Math.max(0, end - at.getAsLong()) : 0;
            if (behind == 0) {
                confirmedAt = started;
                behindBy = 0;
            } else if (behindBy == 0) {
                behindBy = behind; // kept while it stays behind: the reason's text does not change with every probe
            }
            if (probeFailing) {
                log.atInfo().addKeyValue("event", "ledgerProbeAnswered").log("the ledger's end can be read again");
            }
            probeFailing = false;
        } catch (Exception e) {
            if (!probeFailing) { // once per outage: what it means shows in the ledger part's reason
                log.atWarn().addKeyValue("event", "ledgerProbeFailed").addKeyValue("error", e.toString())
                        .log("could not read where the ledger ends");
            }
            probeFailing = true;
        }
    }

    private static long seconds(long nanos) {
        return TimeUnit.NANOSECONDS.toSeconds(nanos);
    }

    @Override
    public void close() {
        probes.shutdownNow();
    }
}
