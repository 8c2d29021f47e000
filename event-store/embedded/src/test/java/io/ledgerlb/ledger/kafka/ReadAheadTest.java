package io.ledgerlb.ledger.kafka;

import static io.ledgerlb.ledger.kafka.LedgerContract.fold;
import static io.ledgerlb.ledger.kafka.LedgerContract.rawAppend;
import static io.ledgerlb.ledger.kafka.LedgerContract.readAll;
import static io.ledgerlb.ledger.testing.SampleEvents.assignments;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ledgerlb.ledger.ChainReport;
import io.ledgerlb.ledger.LedgerFollower;
import io.ledgerlb.ledger.LedgerListener;
import io.ledgerlb.ledger.Progress;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.SignedChain;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.testing.LedgerFixture;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Readers of the log decode on two threads ({@link ReadAhead}: the fetching thread takes the
 * first half of each chunk of 1,000 records, the reader the second). Across several chunks the
 * entries still come in order, and a record that is not an entry is passed over by every reader,
 * named by the sequence it stands in for, whichever thread decoded it.
 */
class ReadAheadTest {

    @Test
    void entriesOfManyChunksComeInOrderAndGarbageIsPassedOverAtItsSequence() throws Exception {
        try (KafkaLedger ledger = LedgerFixture.open("read-ahead")) {
            List<LedgerEntry> written;
            try (KafkaLedgerWriter writer = ledger.openWriter("test")) {
                written = writer.append(assignments(0, 2_798)); // sequences 1..2,799
            }
            assertThat(readAll(ledger)).containsExactlyElementsOf(written);
            LedgerState expected = fold(written);

            // a truncated copy of an entry as record 2,800: the reader's half of its chunk
            rawAppend(ledger, ledger.config().eventsTopic(), Arrays.copyOf(written.get(5).encode(), 20));

            assertThat(readAll(ledger)).containsExactlyElementsOf(written);
            assertThat(ledger.stateAt(2_799, Progress.NONE)).isEqualTo(expected);
            ChainReport report = ledger.verifyLog(Progress.NONE);
            assertThat(report.lastSequence()).isEqualTo(2_799);
            assertThat(report.firstBreak().orElseThrow().sequence()).isEqualTo(2_800);

            List<LedgerFormatException> broken = new CopyOnWriteArrayList<>();
            List<SignedChain.PassedOver> passed = new CopyOnWriteArrayList<>();
            AtomicReference<LedgerState> caughtUp = new AtomicReference<>();
            try (LedgerFollower follower = ledger.follow(new LedgerListener() {
                @Override
                public void applied(LedgerEntry entry, LedgerState state) { }

                @Override
                public void caughtUp(LedgerState state) {
                    caughtUp.set(state);
                }

                @Override
                public void passedOver(SignedChain.PassedOver record) {
                    passed.add(record);
                }

                @Override
                public void broken(LedgerFormatException error) {
                    broken.add(error);
                }
            })) {
                await().atMost(Duration.ofSeconds(60)).until(() -> !passed.isEmpty() && caughtUp.get() != null);
                assertThat(passed).singleElement().satisfies(p -> assertThat(p.sequence()).isEqualTo(2_800));
                assertThat(follower.<Boolean>withState(expected::equals)).isTrue();
                assertThat(broken).isEmpty();
            }
        }
    }
}
