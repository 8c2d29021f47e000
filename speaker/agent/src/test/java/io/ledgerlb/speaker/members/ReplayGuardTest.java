package io.ledgerlb.speaker.members;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.ledgerlb.speaker.members.DroppedDatagram.Reason;
import io.ledgerlb.speaker.members.GossipSeal.Header;
import io.ledgerlb.speaker.members.GossipSeal.RunId;
import org.junit.jupiter.api.Test;

class ReplayGuardTest {
    static final long NOW = 1_700_000_000_000L;
    final ReplayGuard guard = new ReplayGuard(30_000);
    final RunId run = new RunId(1, 2);

    Header h(RunId run, long runStart, long counter, long sentAt) {
        return new Header("b", run, runStart, counter, sentAt);
    }

    Reason rejected(Header h) {
        try {
            guard.accept(h, NOW);
            return null;
        } catch (DroppedDatagram e) {
            return e.reason();
        }
    }

    @Test
    void eachDatagramOnceInAnyOrderWithinTheWindow() {
        assertThat(rejected(h(run, NOW - 5000, 10, NOW))).isNull();
        assertThat(rejected(h(run, NOW - 5000, 10, NOW))).isEqualTo(Reason.REPLAYED);
        assertThat(rejected(h(run, NOW - 5000, 8, NOW))).as("late, not seen").isNull();
        assertThat(rejected(h(run, NOW - 5000, 8, NOW))).isEqualTo(Reason.REPLAYED);
        assertThat(rejected(h(run, NOW - 5000, 100, NOW))).isNull();
        assertThat(rejected(h(run, NOW - 5000, 36, NOW))).as("left the window").isEqualTo(Reason.STALE);
        assertThat(rejected(h(run, NOW - 5000, 99, NOW))).isNull();
        assertThat(rejected(h(run, NOW - 5000, 100, NOW))).isEqualTo(Reason.REPLAYED);
    }

    @Test
    void oldRecordingsAndEarlierRunsAreStale() {
        assertThat(rejected(h(run, NOW - 5000, 1, NOW - 30_001))).isEqualTo(Reason.STALE);
        assertThat(rejected(h(run, NOW - 5000, 1, NOW + 30_001))).isEqualTo(Reason.STALE);
        assertThat(rejected(h(run, NOW - 5000, 1, NOW - 29_000))).isNull();

        RunId restarted = new RunId(3, 4);
        assertThat(rejected(h(restarted, NOW - 100, 1, NOW))).as("a restart replaces the run").isNull();
        assertThat(rejected(h(run, NOW - 5000, 2, NOW))).isEqualTo(Reason.STALE);
        assertThat(rejected(h(new RunId(5, 6), NOW - 100, 9, NOW))).as("same start, other run").isEqualTo(Reason.STALE);
    }

    @Test
    void aRunFromTheFutureCannotShutTheRealOnesOut() {
        assertThat(rejected(h(new RunId(7, 7), Long.MAX_VALUE, 1, NOW))).isEqualTo(Reason.IMPLAUSIBLE);
        assertThatCode(() -> guard.accept(h(run, NOW, 1, NOW), NOW)).doesNotThrowAnyException();
    }
}
