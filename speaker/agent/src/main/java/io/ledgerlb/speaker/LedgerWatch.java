package io.ledgerlb.speaker;

import io.ledgerlb.ledger.LedgerFollower;
import io.ledgerlb.ledger.LedgerListener;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.event.SignedChain;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.kube.Daemons;
import io.ledgerlb.kube.health.Health;
import io.ledgerlb.kube.health.LedgerFreshness;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
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
 *   <li>the folded state is fresh ({@link LedgerFreshness}, the allocator's notion too). If the
 *       probe answers and the follower is behind for longer than {@code staleAfter}, the state is
 *       known stale: the speaker stops planning (keeps what it announces, takes no IP over) until
 *       it is caught up. If Kafka does not answer for longer, nobody can write the ledger either,
 *       so the folded state is still the ledger's: the speaker keeps planning on it (failover goes
 *       on) and only reports the part down.</li>
 * </ul>
 */
final class LedgerWatch implements LedgerListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LedgerWatch.class);
    static final String COMPONENT = "ledger";

    private final Function<LedgerListener, LedgerFollower> follow;
    private final Speaker speaker;
    private final Health health;
    private final LedgerFreshness freshness;
    private final ScheduledExecutorService checks = Daemons.thread("ledger-watch");
    private volatile LedgerFollower follower;
    private volatile boolean caughtUp;
    private volatile LedgerFormatException broken;

    /**
     * @param follow       starts a follower telling the given listener
     * @param lastSequence the last sequence the ledger holds (may block while Kafka is unreachable)
     */
    LedgerWatch(Function<LedgerListener, LedgerFollower> follow, Callable<Long> lastSequence, Speaker speaker,
                Health health, Duration staleAfter, Duration checkEvery) {
        this.follow = follow;
        this.speaker = speaker;
        this.health = health;
        this.freshness = new LedgerFreshness(lastSequence,
                () -> OptionalLong.of(follower.withState(LedgerState::sequence)), staleAfter);
        health.starting(COMPONENT, "the ledger is not folded yet");
        follower = follow.apply(this);
        speaker.following(follower);
        checks.scheduleWithFixedDelay(this::check, checkEvery.toNanos(), checkEvery.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** What the "Kafka has not answered" reason ends with (how to fix what is likely wrong). */
    LedgerWatch hintWhenUnanswered(String hint) {
        freshness.unansweredHint(hint);
        return this;
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
        freshness.confirmed();
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
            LedgerFreshness.Verdict verdict = freshness.check();
            switch (verdict.state()) {
                case FRESH -> speaker.stale(false);
                case BEHIND -> speaker.stale(true); // known stale: nothing planned from it
                default -> { } // unanswered: nobody can write the ledger either, so planning goes on
            }
            health.report(COMPONENT, verdict.status());
        } catch (RuntimeException e) {
            log.error("checking the ledger follower failed", e);
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

    @Override
    public void close() {
        checks.shutdownNow();
        freshness.close();
        follower.close();
    }
}
