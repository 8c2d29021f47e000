package io.ledgerlb.ledger.kafka;

import static io.ledgerlb.ledger.testing.SampleEvents.assignments;
import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.LedgerFollower;
import io.ledgerlb.ledger.LedgerWriteException;
import io.ledgerlb.ledger.Progress;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.state.LedgerState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default (broker and SQLite in one data folder) through a broker stop and restart
 * in the middle of appends, and through a restart of the whole ledger on the same folder.
 */
class BrokerRestartTest {

    @TempDir
    Path dataDir;

    @Test
    void appendsAcrossABrokerRestartLoseAndDuplicateNothing() throws Exception {
        List<List<LedgerEntry>> committed = new CopyOnWriteArrayList<>();
        List<LedgerWriteException> failed = new CopyOnWriteArrayList<>();
        long lastSequence;
        try (KafkaLedger ledger = KafkaLedger.open(LedgerConfig.embedded(dataDir));
             KafkaLedgerWriter writer = ledger.openWriter("test");
             LedgerFollower follower = ledger.follow((entry, state) -> { })) {
            EmbeddedKafka broker = (EmbeddedKafka) ledger.embeddedBroker().orElseThrow();
            AtomicBoolean stop = new AtomicBoolean();
            Thread appender = new Thread(() -> {
                int next = 0;
                while (!stop.get()) {
                    try {
                        committed.add(writer.append(assignments(next, 10)));
                        next += 10;
                    } catch (LedgerWriteException e) {
                        failed.add(e);
                    }
                }
            });
            appender.start();
            awaitCommits(committed, 5);
            broker.stop();
            int duringOutage = committed.size();
            broker.restart();
            awaitCommits(committed, duringOutage + 5);
            stop.set(true);
            appender.join();

            List<LedgerEntry> log = new ArrayList<>();
            ledger.read(1, log::add);
            Set<String> hashes = new HashSet<>();
            log.forEach(e -> assertThat(hashes.add(e.hashHex())).as("no duplicate of %s", e).isTrue());
            for (List<LedgerEntry> batch : committed) {
                batch.forEach(e -> assertThat(hashes).contains(e.hashHex()));
            }
            // every entry in the log is from a batch an append returned (a timed-out commit settles on the next)
            long returned = committed.stream().mapToLong(List::size).sum();
            assertThat(log).hasSize((int) returned);
            assertThat(ledger.verifyLog(Progress.NONE).intact()).isTrue();
            assertThat(ledger.verifyJournal(Progress.NONE).lastSequence()).isEqualTo(log.size());
            lastSequence = writer.lastSequence();
            assertThat(log.get(log.size() - 1).sequence()).isEqualTo(lastSequence);
            // the follower rode out the restart too
            assertThat(follower.awaitSequence(lastSequence, Duration.ofSeconds(60))).isTrue();
            LedgerState followed = follower.withState(LedgerState::copy);
            assertThat(followed).isEqualTo(ledger.stateAt(lastSequence));
        }

        // the whole ledger again on the same folder: the broker comes back with its data
        try (KafkaLedger again = KafkaLedger.open(LedgerConfig.embedded(dataDir));
             KafkaLedgerWriter writer = again.openWriter("after-restart")) {
            assertThat(writer.lastSequence()).isEqualTo(lastSequence);
            LedgerState state = again.stateAt(lastSequence);
            assertThat(state.assignedIpCount()).isEqualTo((int) lastSequence - 1);
        }
    }

    private static void awaitCommits(List<?> committed, int count) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (committed.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(committed.size()).isGreaterThanOrEqualTo(count);
    }
}
