package io.ledgerlb.allocator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.kafka.BrokerCredentials;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.kafka.KafkaLedgerWriter;
import io.ledgerlb.ledger.testing.SampleEvents;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A CLI command pointed at a running embedded default's broker (which authenticates every client)
 * reads it with the readers' settings the data folder holds, as `run`'s banner says:
 * {@code --kafka-bootstrap 127.0.0.1:PORT --kafka-properties-file DATA/kafka-reader.properties}.
 */
class EmbeddedReaderCliTest {

    @Test
    void auditReadsTheRunningEmbeddedLedgerWithTheReadersFile(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        LedgerConfig config = LedgerConfig.embedded(data);
        try (KafkaLedger running = KafkaLedger.open(config, "ledgerlb run"); KafkaLedgerWriter writer = running.openWriter("allocator")) {
            writer.append(List.of(SampleEvents.pool("p", "10.99.0.0/16")));
            writer.append(List.of(SampleEvents.assign("s1", "10.99.0.1")));
            Path trusted = dir.resolve("trusted.pem");
            Files.writeString(trusted, config.signingKey().orElseThrow().publicKeyPem());

            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cli = LedgerlbCommand.commandLine();
            cli.setOut(new PrintWriter(out));
            cli.setErr(new PrintWriter(err));
            int exit = cli.execute("audit", "--ip", "10.99.0.1", "--direct", "--kafka-bootstrap", running.bootstrapServers(),
                    "--kafka-properties-file", data.resolve(BrokerCredentials.READER_FILE_NAME).toString(),
                    "--trusted-keys", trusted.toString(), "--data-dir", Files.createDirectories(dir.resolve("cli")).toString());
            assertThat(exit).as(err.toString()).isZero();
            assertThat(out.toString()).contains("default/s1", "10.99.0.1");
        }
    }
}
