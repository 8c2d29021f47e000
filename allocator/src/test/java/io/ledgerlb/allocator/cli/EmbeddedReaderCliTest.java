package io.ledgerlb.allocator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.kafka.BrokerCredentials;
import io.ledgerlb.ledger.kafka.KafkaClientOptions;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.kafka.KafkaLedgerWriter;
import io.ledgerlb.ledger.testing.SampleEvents;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A CLI command pointed at a running embedded default's broker (which authenticates every client)
 * reads it with the readers' settings the data folder holds, as `run`'s banner says:
 * {@code --kafka-bootstrap 127.0.0.1:PORT --kafka-properties-file DATA/kafka-reader.properties}.
 */
class EmbeddedReaderCliTest {
    private record Result(int exit, String out, String err) {}

    @Test
    void auditReadsTheRunningEmbeddedLedgerWithTheReadersFile(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        try (KafkaLedger running = runningLedger(data)) {
            Result audit = audit(dir, running, List.of("--kafka-properties-file", data.resolve(BrokerCredentials.READER_FILE_NAME).toString()));
            assertThat(audit.exit()).as(audit.err()).isZero();
            assertThat(audit.out()).contains("default/s1", "10.99.0.1");
        }
    }

    /**
     * Without the readers' file the broker closes every connection, which a Kafka client takes for
     * a broker that is down and retries: the command must say what is missing and fail instead.
     */
    @Test
    void withoutTheReadersFileTheCommandNamesTheMissingCredentialsAndFails(@TempDir Path dir) throws Exception {
        try (KafkaLedger running = runningLedger(dir.resolve("data"))) {
            // the client's timeouts shortened from 60 and 30 s: properties, not credentials, so the hint still applies
            Result audit = audit(dir, running, List.of("--kafka-property", "default.api.timeout.ms=20000",
                    "--kafka-property", "request.timeout.ms=20000"));
            assertThat(audit.exit()).as(audit.out()).isEqualTo(LedgerlbCommand.FAILURE_FOUND);
            String hint = KafkaClientOptions.credentialsHint(Map.of());
            assertThat(audit.err()).as("the notice while it waits, then the error")
                    .contains("Kafka at " + running.bootstrapServers() + " has not answered for 10 s; still trying" + hint)
                    .contains("cannot prepare ledger topics at " + running.bootstrapServers())
                    .endsWith(hint + System.lineSeparator())
                    .contains("DATA/" + BrokerCredentials.READER_FILE_NAME);
        }
    }

    /** An embedded ledger as `ledgerlb run` keeps it open, with a pool and one assignment. */
    private static KafkaLedger runningLedger(Path data) throws Exception {
        KafkaLedger running = KafkaLedger.open(LedgerConfig.embedded(data), "ledgerlb run");
        try (KafkaLedgerWriter writer = running.openWriter("allocator")) {
            writer.append(List.of(SampleEvents.pool("p", "10.99.0.0/16")));
            writer.append(List.of(SampleEvents.assign("s1", "10.99.0.1")));
        }
        return running;
    }

    /** {@code ledgerlb audit --ip 10.99.0.1 --direct} against the running ledger's broker, with {@code kafkaSettings}. */
    private static Result audit(Path dir, KafkaLedger running, List<String> kafkaSettings) throws Exception {
        Path trusted = dir.resolve("trusted.pem");
        Files.writeString(trusted, running.config().signingKey().orElseThrow().publicKeyPem());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = LedgerlbCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        List<String> args = new ArrayList<>(List.of("audit", "--ip", "10.99.0.1", "--direct",
                "--kafka-bootstrap", running.bootstrapServers(), "--trusted-keys", trusted.toString(),
                "--data-dir", Files.createDirectories(dir.resolve("cli")).toString()));
        args.addAll(kafkaSettings);
        int exit = cli.execute(args.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }
}
