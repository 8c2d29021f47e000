package io.ledgerlb.allocator.cli;

import io.ledgerlb.ledger.DataDirLock;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.kafka.BrokerCredentials;
import io.ledgerlb.ledger.kafka.KafkaClientOptions;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.sign.SigningKey;
import io.ledgerlb.ledger.sign.TrustedKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Where the ledger is: the embedded default in a data folder, or an external Kafka. */
public final class LedgerOptions {
    @Option(names = "--data-dir", defaultValue = "data", paramLabel = "DIR",
            description = "Data folder: embedded Kafka, the SQLite journal and snapshots, the local kubeconfig (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT[,...]",
            description = "An external Kafka cluster instead of the embedded broker.")
    String kafkaBootstrap;

    /** --kafka-property and --kafka-properties-file, as every ledgerlb process takes them; for an external Kafka only. */
    @Mixin
    KafkaClientOptions kafka = new KafkaClientOptions();

    @Option(names = "--topic", defaultValue = LedgerConfig.DEFAULT_EVENTS_TOPIC, paramLabel = "NAME",
            description = "The ledger topic (default: ${DEFAULT-VALUE}); snapshots go to NAME's snapshot topic.")
    String topic;

    @Option(names = "--signing-key", paramLabel = "FILE",
            description = "The allocator's Ed25519 private key that signs the ledger (PEM PKCS#8, e.g. `openssl genpkey "
                    + "-algorithm ed25519 -out key.pem`; in deploy/ a Secret mounted as a file). Never enters the ledger. "
                    + "Default with the embedded ledger: DATA/" + LedgerConfig.SIGNING_KEY_FILE_NAME + ", made on first run.")
    Path signingKey;

    @Option(names = "--trusted-keys", paramLabel = "FILE",
            description = "The Ed25519 public keys whose signed heads readers believe (PEM 'PUBLIC KEY' blocks; in deploy/ "
                    + "a ConfigMap). Default with the embedded ledger: its own key; with --signing-key: that key too.")
    Path trustedKeys;

    @Option(names = "--adopt-unsigned-ledger",
            description = "Adopt a ledger written without signatures (check it with `verify --unchecked-signatures` first): "
                    + "the allocator records a LedgerAdopted entry, signed by its key, that vouches for every entry before it.")
    boolean adoptUnsigned;

    @Option(names = "--unchecked-signatures",
            description = "Read without checking signatures (hashes and links only): for a ledger not adopted yet. Warns.")
    boolean uncheckedSignatures;

    /** How long a Kafka given without credentials may not answer before stderr says they may be missing. */
    static final Duration NOTICE_AFTER = Duration.ofSeconds(10);

    /** The command that opens the ledger, named in the data folder's lock. */
    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec mixee;

    LedgerConfig config() {
        if (kafkaBootstrap == null && kafka.given()) {
            throw new ConfigException("--kafka-property and --kafka-properties-file are for an external Kafka: "
                    + "give --kafka-bootstrap too (a command that runs the embedded broker itself connects with the data folder's "
                    + "own credentials; to read a running allocator's embedded broker give --kafka-bootstrap 127.0.0.1:PORT "
                    + "--kafka-properties-file DATA/" + BrokerCredentials.READER_FILE_NAME + ", as `run` prints)");
        }
        LedgerConfig config = kafkaBootstrap == null
                ? LedgerConfig.embedded(dataDir.toAbsolutePath())
                : LedgerConfig.external(kafkaBootstrap, kafka.properties())
                        .withSqlite(dataDir.toAbsolutePath().resolve(LedgerConfig.SQLITE_FILE_NAME));
        if (!topic.equals(LedgerConfig.DEFAULT_EVENTS_TOPIC)) {
            config = config.withTopics(topic, topic.replace(".events", "") + ".snapshots");
        }
        try {
            if (trustedKeys != null) {
                config = config.withTrustedKeys(TrustedKeys.load(trustedKeys));
            }
            if (signingKey != null) {
                config = config.withSigningKey(SigningKey.load(signingKey));
            }
        } catch (IOException e) {
            throw new ConfigException(e.getMessage());
        }
        if (uncheckedSignatures) {
            config = config.withTrustedKeys(TrustedKeys.UNCHECKED);
        }
        return config.withAdoptUnsigned(adoptUnsigned);
    }

    /** The allocator writes only signed: with an external Kafka the key must be given. */
    void requireSigningKey() {
        if (kafkaBootstrap != null && signingKey == null) {
            throw new ConfigException("the allocator signs the ledger: give --signing-key FILE (an Ed25519 private key, "
                    + "e.g. `openssl genpkey -algorithm ed25519 -out ledger-signing-key.pem`) and give its public key "
                    + "(`openssl pkey -in ledger-signing-key.pem -pubout`) to the readers as --trusted-keys");
        }
    }

    /** Opens the ledger; with the embedded default, only where one exists already (no typo creates an empty one). */
    KafkaLedger openExisting() {
        if (kafkaBootstrap == null && !Files.isDirectory(dataDir.resolve("kafka"))) {
            throw new ConfigException("no ledger in " + dataDir.toAbsolutePath()
                    + " (start one with `ledgerlb run`, or pass --data-dir or --kafka-bootstrap)");
        }
        return open();
    }

    /**
     * Opens the ledger. An external Kafka that wants credentials none were given for (the embedded
     * default's broker read without DATA/kafka-reader.properties) closes every connection, which a
     * Kafka client cannot tell from a broker that is down: it retries until its API timeout. So
     * stderr says what is likely missing after {@link #NOTICE_AFTER}, and the timeout's error says it too.
     */
    KafkaLedger open() {
        String hint = kafkaBootstrap == null ? "" : KafkaClientOptions.credentialsHint(kafka.properties());
        ScheduledExecutorService notice = hint.isEmpty() || mixee == null ? null : noticeOnStderr(hint);
        try {
            return KafkaLedger.open(config(), "ledgerlb " + (mixee == null ? "" : mixee.name()));
        } catch (DataDirLock.InUseException e) {
            throw new ConfigException(e.getMessage());
        } catch (RuntimeException e) {
            if (!hint.isEmpty() && timedOut(e)) {
                throw new IllegalStateException(e.getMessage() + hint, e);
            }
            throw e;
        } finally {
            if (notice != null) {
                notice.shutdownNow();
            }
        }
    }

    /** Says on the command's stderr, after {@link #NOTICE_AFTER} unless shut down first, that Kafka has not answered and why that may be. */
    private ScheduledExecutorService noticeOnStderr(String hint) {
        ScheduledExecutorService notice = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "kafka-unanswered-notice");
            thread.setDaemon(true);
            return thread;
        });
        PrintWriter err = mixee.commandLine().getErr();
        notice.schedule(() -> {
            err.println("ledgerlb: Kafka at " + kafkaBootstrap + " has not answered for " + NOTICE_AFTER.toSeconds()
                    + " s; still trying" + hint);
            err.flush();
        }, NOTICE_AFTER.toMillis(), TimeUnit.MILLISECONDS);
        return notice;
    }

    private static boolean timedOut(Throwable e) {
        return LedgerlbCommand.causes(e).anyMatch(c -> c instanceof org.apache.kafka.common.errors.TimeoutException);
    }
}
