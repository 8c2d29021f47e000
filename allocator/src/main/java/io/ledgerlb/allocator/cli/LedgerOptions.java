package io.ledgerlb.allocator.cli;

import io.ledgerlb.ledger.DataDirLock;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where the ledger is: the embedded default in a data folder, or an external Kafka. */
public final class LedgerOptions {
    @Option(names = "--data-dir", defaultValue = "data", paramLabel = "DIR",
            description = "Data folder: embedded Kafka, the SQLite journal and snapshots, the local kubeconfig (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT[,...]",
            description = "An external Kafka cluster instead of the embedded broker.")
    String kafkaBootstrap;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "A Kafka client property passed through (TLS, SASL, ...); repeatable.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = "--topic", defaultValue = LedgerConfig.DEFAULT_EVENTS_TOPIC, paramLabel = "NAME",
            description = "The ledger topic (default: ${DEFAULT-VALUE}); snapshots go to NAME's snapshot topic.")
    String topic;

    /** The command that opens the ledger, named in the data folder's lock. */
    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec mixee;

    LedgerConfig config() {
        LedgerConfig config = kafkaBootstrap == null
                ? LedgerConfig.embedded(dataDir.toAbsolutePath())
                : LedgerConfig.external(kafkaBootstrap, kafkaProperties).withSqlite(dataDir.toAbsolutePath().resolve(LedgerConfig.SQLITE_FILE_NAME));
        if (!topic.equals(LedgerConfig.DEFAULT_EVENTS_TOPIC)) {
            config = config.withTopics(topic, topic.replace(".events", "") + ".snapshots");
        }
        return config;
    }

    /** Opens the ledger; with the embedded default, only where one exists already (no typo creates an empty one). */
    KafkaLedger openExisting() {
        if (kafkaBootstrap == null && !Files.isDirectory(dataDir.resolve("kafka"))) {
            throw new ConfigException("no ledger in " + dataDir.toAbsolutePath()
                    + " (start one with `ledgerlb run`, or pass --data-dir or --kafka-bootstrap)");
        }
        return open();
    }

    KafkaLedger open() {
        try {
            return KafkaLedger.open(config(), "ledgerlb " + (mixee == null ? "" : mixee.name()));
        } catch (DataDirLock.InUseException e) {
            throw new ConfigException(e.getMessage());
        }
    }
}
