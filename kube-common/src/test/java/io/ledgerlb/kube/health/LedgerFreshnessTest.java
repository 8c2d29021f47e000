package io.ledgerlb.kube.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.kube.health.LedgerFreshness.State;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The one notion of a fresh ledger (allocator and speaker), on a clock the test moves: each probe
 * ends before the verdict is read, so no assertion depends on how fast the machine is.
 */
class LedgerFreshnessTest {
    static final Duration BOUND = Duration.ofSeconds(5);
    final AtomicLong clock = new AtomicLong(1_000);
    final AtomicLong end = new AtomicLong(10);
    final AtomicReference<OptionalLong> folded = new AtomicReference<>(OptionalLong.of(10));
    final AtomicReference<RuntimeException> kafkaDown = new AtomicReference<>();
    final AtomicInteger probes = new AtomicInteger();

    LedgerFreshness freshness() {
        return new LedgerFreshness(() -> {
            try {
                RuntimeException down = kafkaDown.get();
                if (down != null) {
                    throw down;
                }
                return end.get();
            } finally {
                probes.incrementAndGet();
            }
        }, folded::get, BOUND, clock::get);
    }

    /** Runs one probe at the current time and gives the verdict after it. */
    LedgerFreshness.Verdict probed(LedgerFreshness freshness) {
        int before = probes.get();
        freshness.check();
        try {
            freshness.awaitProbe();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(probes.get()).as("one more probe ran").isEqualTo(before + 1);
        return freshness.verdict();
    }

    void pass(Duration time) {
        clock.addAndGet(time.toNanos());
    }

    @Test
    void freshWhileTheFoldedStateIsAtTheEndAndBehindOnlyOnceThatLastedLongerThanTheBound() {
        try (LedgerFreshness freshness = freshness()) {
            assertThat(freshness.verdict().state()).isEqualTo(State.STARTING);
            assertThat(freshness.verdict().status().starting()).isTrue();
            assertThat(probed(freshness).state()).isEqualTo(State.FRESH);

            end.set(12); // the ledger moves on, the folded state does not
            pass(Duration.ofSeconds(4));
            assertThat(probed(freshness).state()).as("behind, but not for longer than the bound").isEqualTo(State.FRESH);
            pass(Duration.ofSeconds(2));
            LedgerFreshness.Verdict behind = probed(freshness);
            assertThat(behind.state()).isEqualTo(State.BEHIND);
            assertThat(behind.reason())
                    .isEqualTo("the folded state has been behind the ledger's end for over 5 s (2 entries at the first probe that found it so)");
            end.set(13);
            pass(Duration.ofSeconds(1));
            assertThat(probed(freshness)).as("the same cause, the same text").isEqualTo(behind);
            assertThat(behind.status().up()).isFalse();
            assertThat(behind.status().starting()).isFalse();

            folded.set(OptionalLong.of(13));
            assertThat(probed(freshness).state()).isEqualTo(State.FRESH);
        }
    }

    @Test
    void unansweredOnceKafkaHasNotAnsweredForLongerThanTheBoundSinceTheStartOrTheLastAnswer() {
        kafkaDown.set(new IllegalStateException("no broker"));
        try (LedgerFreshness freshness = freshness()) {
            assertThat(probed(freshness).state()).isEqualTo(State.STARTING);
            pass(Duration.ofSeconds(6));
            LedgerFreshness.Verdict never = probed(freshness);
            assertThat(never.state()).isEqualTo(State.UNANSWERED);
            assertThat(never.reason()).isEqualTo("Kafka has not answered a read of the ledger's end since the start, over 5 s ago");

            kafkaDown.set(null);
            assertThat(probed(freshness).state()).isEqualTo(State.FRESH);
            kafkaDown.set(new IllegalStateException("no broker"));
            pass(Duration.ofSeconds(5));
            assertThat(probed(freshness).state()).as("at the bound, not beyond it").isEqualTo(State.FRESH);
            pass(Duration.ofSeconds(2));
            LedgerFreshness.Verdict unanswered = probed(freshness);
            assertThat(unanswered.reason()).isEqualTo("Kafka has not answered a read of the ledger's end for over 5 s");
            pass(Duration.ofSeconds(3));
            assertThat(probed(freshness)).as("the same cause, the same text").isEqualTo(unanswered);
        }
    }

    @Test
    void anUnansweredReasonEndsWithTheHintItWasGiven() {
        kafkaDown.set(new IllegalStateException("no broker"));
        try (LedgerFreshness freshness = freshness()) {
            freshness.unansweredHint(" (check the credentials)");
            pass(Duration.ofSeconds(6));
            LedgerFreshness.Verdict never = probed(freshness);
            assertThat(never.state()).isEqualTo(State.UNANSWERED);
            assertThat(never.reason()).isEqualTo(
                    "Kafka has not answered a read of the ledger's end since the start, over 5 s ago (check the credentials)");
        }
    }

    @Test
    void aProcessThatFoldsNothingIsFreshWhileKafkaAnswers() {
        folded.set(OptionalLong.empty()); // a standby allocator
        end.set(1_000);
        try (LedgerFreshness freshness = freshness()) {
            probed(freshness);
            pass(Duration.ofMinutes(1));
            assertThat(probed(freshness).state()).isEqualTo(State.FRESH);
        }
    }

    @Test
    void aFollowerThatCaughtUpConfirmsTheStateAsAProbeWould() {
        kafkaDown.set(new IllegalStateException("no broker"));
        try (LedgerFreshness freshness = freshness()) {
            pass(Duration.ofSeconds(6));
            assertThat(probed(freshness).state()).isEqualTo(State.UNANSWERED);
            freshness.confirmed();
            assertThat(freshness.verdict().state()).isEqualTo(State.FRESH);
        }
    }
}
