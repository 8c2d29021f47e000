package io.ledgerlb.ledger.testing;

import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.kafka.EmbeddedKafka;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.sign.SigningKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * One real embedded Kafka broker per test JVM (started on first use in a temp folder, on free
 * ports, stopped and deleted at JVM exit), and fresh ledgers on it with unique topic names.
 *
 * <pre>{@code
 * try (KafkaLedger ledger = LedgerFixture.open("allocation")) {
 *     LedgerWriter writer = ledger.openWriter("test");
 *     ...
 * }
 * }</pre>
 * Or let JUnit hand one in and close it: see {@link LedgerExtension}.
 */
public final class LedgerFixture {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedKafka broker;
    /** Every fixture ledger is signed, so that every test exercises signing and verification. */
    private static final SigningKey KEY = SigningKey.generate();

    private LedgerFixture() {}

    /** The shared broker, started on first call. */
    public static synchronized EmbeddedKafka broker() {
        if (broker == null) {
            try {
                Path dir = Files.createTempDirectory("ledgerlb-test-kafka-");
                EmbeddedKafka started = EmbeddedKafka.start(dir);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    started.close();
                    deleteRecursively(dir);
                }, "ledgerlb-test-kafka-stop"));
                broker = started;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return broker;
    }

    public static String bootstrapServers() {
        return broker().bootstrapServers();
    }

    private static Path keyFile;

    /** The key fixture ledgers are signed with (their readers trust it). */
    public static SigningKey signingKey() {
        return KEY;
    }

    /**
     * {@link #signingKey()} in a PEM file (deleted at JVM exit), for processes and CLI commands
     * ({@code --signing-key}); its public key is beside it, {@link #trustedKeysFile()}.
     */
    public static synchronized Path signingKeyFile() {
        if (keyFile == null) {
            try {
                Path dir = Files.createTempDirectory("ledgerlb-test-key-");
                Path file = dir.resolve("ledger-signing-key.pem");
                KEY.write(file);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(dir), "ledgerlb-test-key-delete"));
                keyFile = file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return keyFile;
    }

    /** The public key of {@link #signingKey()} in a PEM file ({@code --trusted-keys}). */
    public static Path trustedKeysFile() {
        return SigningKey.publicKeyFile(signingKeyFile());
    }

    /** A configuration on the shared broker with topics no other test uses, and no SQLite; signed by {@link #signingKey()}. */
    public static LedgerConfig config(String name) {
        String base = "t" + COUNTER.incrementAndGet() + "-" + name.replaceAll("[^A-Za-z0-9._-]", "_");
        if (base.length() > 180) {
            base = base.substring(0, 180);
        }
        return LedgerConfig.external(bootstrapServers(), Map.of())
                .withTopics(base + ".events", base + ".snapshots")
                .withSigningKey(KEY);
    }

    /** A fresh ledger on the shared broker, without SQLite. */
    public static KafkaLedger open(String name) {
        return KafkaLedger.open(config(name));
    }

    /** A fresh ledger on the shared broker, with its SQLite file at {@code sqliteFile}. */
    public static KafkaLedger open(String name, Path sqliteFile) {
        return KafkaLedger.open(config(name).withSqlite(sqliteFile));
    }

    static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort at exit
        }
    }
}
