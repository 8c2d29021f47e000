package io.ledgerlb.ledger.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ledgerlb.ledger.DataDirLock;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.Progress;
import io.ledgerlb.ledger.RecoveryReport;
import io.ledgerlb.ledger.testing.SampleEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default's data folder: one process at a time, and the broker's address kept for good. */
class EmbeddedDataDirTest {

    @Test
    void theBrokerKeepsItsPortsAcrossRestartsAndARecoveryIntoAFreshKafkaFolder(@TempDir Path dir) throws Exception {
        LedgerConfig config = LedgerConfig.embedded(dir);
        String address;
        try (KafkaLedger ledger = KafkaLedger.open(config); KafkaLedgerWriter writer = ledger.openWriter("test")) {
            address = ledger.bootstrapServers();
            writer.append(SampleEvents.assignments(0, 5));
        }
        try (KafkaLedger again = KafkaLedger.open(config)) {
            assertThat(again.bootstrapServers()).isEqualTo(address);
        }

        deleteRecursively(dir.resolve("kafka")); // the broker's folder lost; the journal and the ports file remain
        try (KafkaLedger rebuilt = KafkaLedger.open(config)) {
            assertThat(rebuilt.bootstrapServers()).isEqualTo(address);
            RecoveryReport report = rebuilt.recoverFromJournal(Progress.NONE);
            assertThat(report.written()).isEqualTo(6);
            assertThat(rebuilt.verifyLog(Progress.NONE).intact()).isTrue();
        }
    }

    @Test
    void aSecondOpeningOfALiveDataFolderIsRefusedBeforeItStartsABroker(@TempDir Path dir) throws Exception {
        LedgerConfig config = LedgerConfig.embedded(dir);
        try (KafkaLedger running = KafkaLedger.open(config, "ledgerlb run")) {
            assertThatThrownBy(() -> KafkaLedger.open(config, "ledgerlb verify"))
                    .isInstanceOf(DataDirLock.InUseException.class)
                    .hasMessageContaining("in use by another process")
                    .hasMessageContaining("ledgerlb run");
            assertThat(running.lastSequence()).isZero(); // the first one is unharmed
        }
        try (KafkaLedger afterwards = KafkaLedger.open(config, "ledgerlb verify")) {
            assertThat(afterwards.lastSequence()).isZero();
        }
    }

    private static void deleteRecursively(Path folder) throws Exception {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
