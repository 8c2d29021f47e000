package io.ledgerlb.bench.ledger;

import io.ledgerlb.bench.TempDirs;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.IpReleased;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.events.v1.ReleaseReason;
import io.ledgerlb.events.v1.ServiceRef;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.LedgerFollower;
import io.ledgerlb.ledger.LedgerListener;
import io.ledgerlb.ledger.Progress;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.kafka.EmbeddedKafka;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.kafka.KafkaLedgerWriter;
import io.ledgerlb.ledger.sqlite.LedgerDatabase;
import io.ledgerlb.ledger.state.LedgerState;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * End-to-end benchmarks of the ledger on an embedded broker in a temp folder, each next to a
 * reference measured in the same run:
 * <ul>
 *   <li>append: {@link KafkaLedgerWriter#append} (sealed, one transaction per batch, visible on
 *       return) vs a raw idempotent producer (acks=all) sending the same bytes;</li>
 *   <li>replay: {@link KafkaLedger#stateAt} from nothing (decode, verify hashes, fold) vs a raw
 *       consumer reading the same records;</li>
 *   <li>cold start: a follower without SQLite (a speaker) from the snapshot topic plus the tail,
 *       on a ledger of 1 M events holding 100k assignments, vs a full replay of it;</li>
 *   <li>journal: SQLite journal writes vs plain JDBC batch inserts of the same bytes, and recovery
 *       from the journal into an empty topic vs the raw producer.</li>
 * </ul>
 * Run: {@code java -cp bench/target/benchmarks.jar io.ledgerlb.bench.ledger.LedgerBenchmarks [events]}
 */
public final class LedgerBenchmarks {
    private static final int BATCH = 1_000;
    private static final int ROUNDS = 3;
    /** Replay rounds are short (a fraction of a second each): more of them, for a best that is not a fluke of the load. */
    private static final int REPLAY_ROUNDS = 8;

    public static void main(String[] args) throws Exception {
        // Kafka logs at DEBUG without a logback configuration; the benchmark only wants warnings.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int coldEvents = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int coldAssignments = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        String only = args.length > 3 ? args[3] : "append,replay,cold,journal";
        Path dir = Files.createTempDirectory("ledgerlb-bench-");
        try (EmbeddedKafka broker = EmbeddedKafka.start(dir.resolve("kafka"))) {
            String bootstrap = broker.bootstrapServers();
            List<Event> bodies = churn(events, events / 2);

            // append: ledger vs raw, best of rounds (the first rounds also warm the JIT up)
            List<LedgerEntry> sealed = null;
            int round = 0;
            for (int batch : new int[] {BATCH, 10 * BATCH}) {
                double raw = 0;
                double ledger = 0;
                for (int r = 0; r < ROUNDS; r++, round++) {
                    LedgerConfig config = LedgerConfig.external(bootstrap, Map.of())
                            .withTopics("append" + round + ".events", "append" + round + ".snapshots");
                    try (KafkaLedger l = KafkaLedger.open(config); KafkaLedgerWriter writer = l.openWriter("bench")) {
                        List<LedgerEntry> all = new ArrayList<>(bodies.size());
                        long t0 = System.nanoTime();
                        for (int i = 0; i < bodies.size(); i += batch) {
                            all.addAll(writer.append(bodies.subList(i, Math.min(bodies.size(), i + batch))));
                        }
                        ledger = Math.max(ledger, rate(bodies.size(), t0));
                        sealed = all;
                    }
                    List<byte[]> bytes = sealed.stream().map(LedgerEntry::encode).toList();
                    createTopicWith(bootstrap, "raw" + round);
                    raw = Math.max(raw, rawProduce(bootstrap, "raw" + round, bytes));
                }
                report("append (one transaction per " + batch + " events) vs raw idempotent producer", ledger, raw);
            }

            if (only.contains("replay")) {
                // replay: stateAt from nothing vs a raw consumer of the same records, best of rounds
                double replay = 0;
                double consume = 0;
                LedgerConfig config = LedgerConfig.external(bootstrap, Map.of()).withTopics("append0.events", "append0.snapshots");
                try (KafkaLedger l = KafkaLedger.open(config)) {
                    for (int r = 0; r < REPLAY_ROUNDS; r++) {
                        long t0 = System.nanoTime();
                        LedgerState state = l.stateAt(bodies.size(), Progress.NONE);
                        replay = Math.max(replay, rate(state.sequence(), t0));
                        consume = Math.max(consume, rawConsume(bootstrap, "raw0", bodies.size()));
                    }
                }
                report("replay into state (decode, verify hash chain, fold) vs raw consumer", replay, consume);
            }
            if (only.contains("cold")) {
                coldStart(bootstrap, dir, coldEvents, coldAssignments);
            }
            if (only.contains("journal")) {
                journalAndRecovery(bootstrap, dir, sealed);
            }
        } finally {
            TempDirs.delete(dir);
        }
    }

    // ---- cold start

    private static void coldStart(String bootstrap, Path dir, int events, int assignments) throws Exception {
        LedgerConfig config = LedgerConfig.external(bootstrap, Map.of()).withTopics("cold.events", "cold.snapshots");
        List<Event> bodies = churn(events, assignments);
        int tail = Math.min(10_000, events / 10 / (10 * BATCH) * (10 * BATCH));
        long t0 = System.nanoTime();
        try (KafkaLedger l = KafkaLedger.open(config); KafkaLedgerWriter writer = l.openWriter("bench")) {
            LedgerState state = new LedgerState();
            int snapshotAt = bodies.size() - tail;
            int batch = 10 * BATCH;
            for (int i = 0; i < bodies.size(); i += batch) {
                for (LedgerEntry e : writer.append(bodies.subList(i, Math.min(bodies.size(), i + batch)))) {
                    state.apply(e);
                }
                if (i + batch == snapshotAt) {
                    state.apply(writer.takeSnapshot(state).entry());
                }
            }
            System.out.printf(Locale.ROOT, "cold-start ledger written: %d events, %d assignments, in %.1f s%n",
                    writer.lastSequence(), state.assignedIpCount(), seconds(t0));
        }
        long last;
        double fromSnapshot = Double.MAX_VALUE;
        double full = Double.MAX_VALUE;
        for (int round = 0; round < 2; round++) {
            long s0 = System.nanoTime();
            try (KafkaLedger l = KafkaLedger.open(config)) {
                CountDownLatch caughtUp = new CountDownLatch(1);
                long[] at = new long[2];
                try (LedgerFollower follower = l.follow(new LedgerListener() {
                    @Override
                    public void applied(LedgerEntry entry, LedgerState state) { }

                    @Override
                    public void caughtUp(LedgerState state) {
                        at[0] = state.sequence();
                        at[1] = state.assignedIpCount();
                        caughtUp.countDown();
                    }
                })) {
                    if (!caughtUp.await(10, TimeUnit.MINUTES)) {
                        throw new IllegalStateException("follower did not catch up");
                    }
                    fromSnapshot = Math.min(fromSnapshot, seconds(s0));
                    last = at[0];
                    if (round == 0) {
                        System.out.printf(Locale.ROOT, "cold start caught up at sequence %d with %d assigned IPs%n", at[0], at[1]);
                    }
                }
                long f0 = System.nanoTime();
                LedgerState replayed = new LedgerState();
                l.readEntries(1, last, replayed::apply, null);
                full = Math.min(full, seconds(f0));
            }
        }
        System.out.printf(Locale.ROOT, "RESULT cold start from snapshot + %d-event tail: %.2f s; full replay of %d events: %.2f s;"
                + " ratio full/cold %.1fx (goal: cold start < 3 s)%n", tail, fromSnapshot, events, full, full / fromSnapshot);
    }

    // ---- journal and recovery

    private static void journalAndRecovery(String bootstrap, Path dir, List<LedgerEntry> entries) throws Exception {
        Path db = dir.resolve("journal.db");
        double journal;
        try (LedgerDatabase database = LedgerDatabase.open(db)) {
            long t0 = System.nanoTime();
            for (int i = 0; i < entries.size(); i += BATCH) {
                database.journal().append(entries.subList(i, Math.min(entries.size(), i + BATCH)));
            }
            journal = rate(entries.size(), t0);
        }
        double jdbc;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("plain.db"))) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB NOT NULL)");
            }
            List<byte[]> bytes = entries.stream().map(LedgerEntry::encode).toList();
            long t0 = System.nanoTime();
            for (int i = 0; i < bytes.size(); i += BATCH) {
                c.setAutoCommit(false);
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO t(k, v) VALUES (?, ?)")) {
                    for (int j = i; j < Math.min(bytes.size(), i + BATCH); j++) {
                        insert.setLong(1, j + 1);
                        insert.setBytes(2, bytes.get(j));
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                c.commit();
            }
            jdbc = rate(bytes.size(), t0);
        }
        report("journal writes (batches of " + BATCH + ") vs plain JDBC batch inserts", journal, jdbc);

        LedgerConfig config = LedgerConfig.external(bootstrap, Map.of()).withTopics("recovered.events", "recovered.snapshots")
                .withSqlite(db);
        double recovery;
        try (KafkaLedger l = KafkaLedger.open(config)) {
            long t0 = System.nanoTime();
            l.recoverFromJournal(Progress.NONE);
            recovery = rate(entries.size(), t0);
        }
        createTopicWith(bootstrap, "raw-recovery");
        double raw = rawProduce(bootstrap, "raw-recovery", entries.stream().map(LedgerEntry::encode).toList());
        report("recovery from the journal (verify journal, then write) vs raw idempotent producer", recovery, raw);
    }

    // ---- references

    static double rawProduce(String bootstrap, String topic, List<byte[]> values) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                "bootstrap.servers", bootstrap, "enable.idempotence", true, "acks", "all",
                "linger.ms", 1, "batch.size", 256 * 1024, "compression.type", "lz4",
                "key.serializer", ByteArraySerializer.class, "value.serializer", ByteArraySerializer.class))) {
            long t0 = System.nanoTime();
            Future<RecordMetadata> last = null;
            long sequence = 0;
            for (byte[] value : values) {
                byte[] key = ByteBuffer.allocate(Long.BYTES).putLong(++sequence).array();
                last = producer.send(new ProducerRecord<>(topic, 0, key, value));
            }
            producer.flush();
            last.get();
            return rate(values.size(), t0);
        }
    }

    static double rawConsume(String bootstrap, String topic, long count) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", bootstrap, "enable.auto.commit", false,
                "max.poll.records", 10_000, "max.partition.fetch.bytes", 8 * 1024 * 1024, "fetch.max.bytes", 32 * 1024 * 1024,
                "key.deserializer", ByteArrayDeserializer.class, "value.deserializer", ByteArrayDeserializer.class))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            long t0 = System.nanoTime();
            consumer.seekToBeginning(List.of(tp));
            long read = 0;
            long bytes = 0;
            while (read < count) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    bytes += record.value().length;
                    read++;
                }
            }
            if (bytes == 0) {
                throw new IllegalStateException("nothing read");
            }
            return rate(read, t0);
        }
    }

    static void createTopicWith(String bootstrap, String topic) throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1))).all().get();
        }
    }

    // ---- workload

    /** A pool, {@code assignments} IPs assigned, then release/assign pairs up to {@code total} events. */
    static List<Event> churn(int total, int assignments) {
        List<Event> events = new ArrayList<>(total);
        events.add(Event.newBuilder().setActor("bench")
                .setPoolDefined(PoolDefined.newBuilder().setName("p").addAddresses("10.0.0.0/8").setAutoAssign(true)).build());
        for (int i = 0; events.size() < total && i < assignments; i++) {
            events.add(assign(i, ip(i)));
        }
        for (int i = 0; events.size() + 1 < total; i = (i + 1) % assignments) {
            events.add(Event.newBuilder().setActor("bench").setIpReleased(IpReleased.newBuilder()
                    .setService(service(i)).setIp(ip(i)).setPool("p").setReason(ReleaseReason.SERVICE_CHANGED)).build());
            events.add(assign(i, ip(i)));
        }
        while (events.size() < total) {
            events.add(assign(0, ip(0)));
        }
        return events;
    }

    private static Event assign(int i, String ip) {
        return Event.newBuilder().setActor("bench").setIpAssigned(IpAssigned.newBuilder()
                .setService(service(i)).setIp(ip).setPool("p").setBackendKey("b" + (i % 97))).build();
    }

    private static ServiceRef service(int i) {
        return ServiceRef.newBuilder().setNamespace("ns" + (i % 50)).setName("svc-" + i)
                .setUid("uid-" + i).build();
    }

    private static String ip(int i) {
        return "10." + ((i >> 16) & 255) + "." + ((i >> 8) & 255) + "." + (i & 255);
    }

    // ---- reporting

    static double rate(long count, long startNanos) {
        return count / seconds(startNanos);
    }

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    static void report(String what, double measured, double reference) {
        System.out.printf(Locale.ROOT, "RESULT %s: %.0f/s vs %.0f/s, ratio %.2f%n", what, measured, reference, measured / reference);
    }
}
