package io.ledgerlb.ledger.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.ChainReport;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.Progress;
import io.ledgerlb.ledger.RecoveryReport;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.testing.LedgerFixture;
import io.ledgerlb.ledger.testing.SampleEvents;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A really forked topic (two committed entries with one sequence, written here with a raw
 * producer): verify names it, recover refuses to append to it, and the journal rebuilds the one
 * chain into a fresh topic, which a writer continues.
 */
class ForkedTopicRecoveryTest {

    @Test
    void theJournalRebuildsTheChainIntoAFreshTopicWhenTheTopicForked(@TempDir Path dir) throws Exception {
        LedgerConfig forked = LedgerFixture.config("forked").withSqlite(dir.resolve("ledger.db"));
        List<LedgerEntry> written;
        try (KafkaLedger ledger = KafkaLedger.open(forked); KafkaLedgerWriter writer = ledger.openWriter("writer")) {
            written = writer.append(SampleEvents.assignments(0, 4));
        }
        LedgerEntry parent = written.get(written.size() - 2);
        try (KafkaLedger ledger = KafkaLedger.open(forked)) {
            try (Producer<byte[], byte[]> raw = ledger.clients().transactionalProducer("not-the-writer")) {
                raw.initTransactions();
                raw.beginTransaction();
                Event rival = SampleEvents.assign("rival", "10.99.5.5").toBuilder().setSequence(parent.sequence() + 1)
                        .setPrevHash(ByteString.copyFrom(parent.hash())).setActor("rival")
                        .setTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(1)).build();
                raw.send(KafkaLedgerWriter.record(forked.eventsTopic(), rival.getSequence(), LedgerEntry.seal(rival).encode()));
                raw.commitTransaction();
            }
            ChainReport report = ledger.verifyLog(Progress.NONE);
            assertThat(report.intact()).isFalse();
            assertThat(report.firstBreak().orElseThrow().sequence()).isEqualTo(parent.sequence() + 2);
            assertThatThrownBy(() -> ledger.recoverFromJournal(Progress.NONE))
                    .isInstanceOf(LedgerFormatException.class).hasMessageContaining("differ");
        }

        LedgerConfig fresh = forked.withTopics(forked.eventsTopic() + ".g2", forked.snapshotsTopic() + ".g2");
        try (KafkaLedger ledger = KafkaLedger.open(fresh)) {
            RecoveryReport recovered = ledger.recoverFromJournal(Progress.NONE);
            assertThat(recovered.written()).isEqualTo(written.size());
            assertThat(ledger.verifyLog(Progress.NONE).intact()).isTrue();
            try (KafkaLedgerWriter writer = ledger.openWriter("writer")) {
                assertThat(writer.lastSequence()).isEqualTo(written.get(written.size() - 1).sequence());
                writer.append(List.of(SampleEvents.assign("next", "10.99.9.1")));
            }
            ChainReport report = ledger.verifyLog(Progress.NONE);
            assertThat(report.intact()).as(report.toString()).isTrue();
            assertThat(report.lastSequence()).isEqualTo(written.size() + 1);
        }
    }
}
