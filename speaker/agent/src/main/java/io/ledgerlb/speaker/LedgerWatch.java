package io.ledgerlb.speaker;

import io.ledgerlb.ledger.LedgerFollower;
import io.ledgerlb.ledger.LedgerListener;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.event.SignedChain;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.speaker.health.Health;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the speaker's ledger follower honest. It stands between the follower and the
 * {@link Speaker} (the follower's listener) and checks, every {@code checkEvery}:
 * <ul>
 *   <li>the follower's thread still runs; if it ended, the part is down and a new follower starts
 *       (from the snapshot topic); the speaker keeps what it announces and plans again only once
 *       the new follower has caught up;</li>
 *   <li>the chain is not broken; a broken chain stays down (a new follower would stop at the same
 *       record) and the speaker plans no more;</li>
 *   <li>within {@code staleAfter} a probe of the ledger's last sequence found the follower at it.
 *       If the probe answers and the follower is behind for longer, the state is known stale: the
 *       speaker stops planning (keeps what it announces, takes no IP over) until it is caught up.
 *       If Kafka does not answer for longer, nobody can write the ledger either, so the folded
 *       state is still the ledger's: the speaker keeps planning on it (failover goes on) and only
 *       reports the part down.</li>
 * </ul>
 * The probe runs on a thread of its own, so a probe stuck on an unreachable broker does not stop
 * the checks.
 */
final class LedgerWatch implements LedgerListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LedgerWatch.class);
    static final String COMPONENT = "ledger";

    private final Function<LedgerListener, LedgerFollower> follow;
    private final Callable<Long> lastSequence;
    private final Speaker speaker;
    private final Health health;
    private final long staleAfterNanos;
    private final ScheduledExecutorService checks = daemon("ledger-watch");
    private final ExecutorService probes = daemon("ledger-probe");
    private volatile LedgerFollower follower;
    private volatile boolean caughtUp;
    private volatile LedgerFormatException broken;
    private volatile long confirmedAt;
    private volatile long reachableAt;
    private volatile long behindBy;
    private Future<?> probe;

    /**
     * @param follow       starts a follower telling the given listener
     * @param lastSequence the last sequence the ledger holds (may block while Kafka is unreachable)
     */
    LedgerWatch(Function<LedgerListener, LedgerFollower> follow, Callable<Long> lastSequence, Speaker speaker,
                Health health, Duration staleAfter, Duration checkEvery) {
        this.follow = follow;
        this.lastSequence = lastSequence;
        this.speaker = speaker;
        this.health = health;
        this.staleAfterNanos = staleAfter.toNanos();
        health.starting(COMPONENT, "the ledger is not folded yet");
        follower = follow.apply(this);
        speaker.following(follower);
        checks.scheduleWithFixedDelay(this::check, checkEvery.toNanos(), checkEvery.toNanos(), TimeUnit.NANOSECONDS);
    }

    LedgerFollower follower() {
        return follower;
    }

    @Override
    public void applied(LedgerEntry entry, LedgerState state) {
        speaker.applied(entry, state);
    }

    @Override
    public void caughtUp(LedgerState state) {
        confirmedAt = reachableAt = System.nanoTime();
        caughtUp = true;
        speaker.caughtUp(state);
        check();
    }

    @Override
    public void passedOver(SignedChain.PassedOver record) {
        speaker.passedOver(record);
    }

    @Override
    public void broken(LedgerFormatException error) {
        broken = error;
        speaker.stale(true);
        speaker.broken(error);
        health.down(COMPONENT, "the ledger holds a record that does not continue the chain: " + error.getMessage());
    }

    private synchronized void check() {
        try {
            if (broken != null) {
                return;
            }
            LedgerFollower f = follower;
            if (!f.following()) {
                restart(f);
                return;
            }
            if (!caughtUp) {
                return;
            }
            if (probe == null || probe.isDone()) {
                probe = probes.submit(() -> probe(f));
            }
            long now = System.nanoTime();
            if (now - confirmedAt <= staleAfterNanos) {
                speaker.stale(false);
                health.up(COMPONENT);
            } else if (now - reachableAt <= staleAfterNanos) {
                speaker.stale(true);
                health.down(COMPONENT, "the follower is " + behindBy + " entries behind the ledger for over "
                        + TimeUnit.NANOSECONDS.toSeconds(staleAfterNanos) + " s; not planning from a stale state");
            } else {
                health.down(COMPONENT, "Kafka has not answered for over " + TimeUnit.NANOSECONDS.toSeconds(staleAfterNanos)
                        + " s; announcing from the state folded before (nobody can write the ledger either)");
            }
        } catch (RuntimeException e) {
            log.error("checking the ledger follower failed", e);
        }
    }

    private void probe(LedgerFollower f) {
        long started = System.nanoTime();
        try {
            long last = lastSequence.call();
            reachableAt = started;
            long folded = f.withState(LedgerState::sequence);
            behindBy = Math.max(0, last - folded);
            if (folded >= last) {
                confirmedAt = started;
            }
        } catch (Exception e) {
            log.atWarn().addKeyValue("event", "ledgerProbeFailed").addKeyValue("error", e.toString())
                    .log("could not read where the ledger ends");
        }
    }

    private void restart(LedgerFollower dead) {
        health.down(COMPONENT, "the ledger follower's thread ended; starting a new follower");
        speaker.stale(true);
        caughtUp = false;
        dead.close();
        LedgerFollower next = follow.apply(this);
        follower = next;
        speaker.following(next);
        log.atWarn().addKeyValue("event", "ledgerFollowerRestarted").log("started a new ledger follower");
    }

    private static ScheduledExecutorService daemon(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void close() {
        checks.shutdownNow();
        probes.shutdownNow();
        follower.close();
    }
}
