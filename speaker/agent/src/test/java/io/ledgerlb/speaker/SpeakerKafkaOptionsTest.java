package io.ledgerlb.speaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The speaker takes Kafka client settings as every ledgerlb process does: a file, and single settings over it. */
class SpeakerKafkaOptionsTest {
    @Test
    void aSinglePropertyWinsOverTheFileAndBothReachTheLedgersClients(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("kafka.properties"), """
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                """);
        SpeakerMain speaker = new SpeakerMain();
        new CommandLine(speaker).parseArgs("--node-name", "n1", "--kafka-bootstrap", "127.0.0.1:9",
                "--kafka-properties-file", file.toString(), "--kafka-property", "sasl.mechanism=SCRAM-SHA-256",
                "--kafka-property", "ssl.truststore.type=PEM");
        assertThat(speaker.ledgerConfig().clientProperties()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-256").containsEntry("ssl.truststore.type", "PEM").hasSize(3);
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) {
        SpeakerMain speaker = new SpeakerMain();
        new CommandLine(speaker).parseArgs("--node-name", "n1", "--kafka-bootstrap", "127.0.0.1:9",
                "--kafka-properties-file", dir.resolve("missing.properties").toString());
        assertThatThrownBy(speaker::ledgerConfig).hasMessageContaining("missing.properties").hasMessageContaining("does not exist");
    }
}
