package io.ledgerlb.ledger.testing;

import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.kafka.EmbeddedKafka;
import io.ledgerlb.ledger.kafka.KafkaLedger;
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

    /** A configuration on the shared broker with topics no other test uses, and no SQLite. */
    public static LedgerConfig config(String name) {
        String base = "t" + COUNTER.incrementAndGet() + "-" + name.replaceAll("[^A-Za-z0-9._-]", "_");
        if (base.length() > 180) {
            base = base.substring(0, 180);
        }
        return LedgerConfig.external(bootstrapServers(), Map.of())
                .withTopics(base + ".events", base + ".snapshots");
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
