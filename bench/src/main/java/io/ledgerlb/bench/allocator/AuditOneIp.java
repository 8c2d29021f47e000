package io.ledgerlb.bench.allocator;

import com.google.protobuf.ByteString;
import io.ledgerlb.allocator.admin.AuditQuery;
import io.ledgerlb.allocator.admin.LedgerQueries;
import io.ledgerlb.allocator.cli.LedgerlbCommand;
import io.ledgerlb.allocator.controller.CoreAllocationStep;
import io.ledgerlb.bench.TempDirs;
import io.ledgerlb.events.v1.Cause;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.IpReleased;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.events.v1.ReleaseReason;
import io.ledgerlb.events.v1.ServiceRef;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.event.HashChain;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.Subject;
import io.ledgerlb.ledger.kafka.BrokerCredentials;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.kafka.KafkaLedgerWriter;
import io.ledgerlb.ledger.sqlite.LedgerDatabase;
import io.ledgerlb.ledger.state.ServiceKey;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;

/**
 * {@code ledgerlb audit} of one IP, one Service and one pool in a ledger of N events (default
 * 1 M; embedded Kafka and its SQLite journal with the audit index), in the same run as its
 * references: a raw consumer reading the same records without decoding them, the full scan the
 * audit falls back to (the same query on the same topic without the SQLite file), and a plain
 * SQLite lookup of the same rows (one JDBC query, no decoding or hash checks).
 *
 * <pre>java -cp bench/target/benchmarks.jar io.ledgerlb.bench.allocator.AuditOneIp [events]</pre>
 */
public final class AuditOneIp {
    static final String IP = "10.77.3.7";
    static final ServiceKey SERVICE = new ServiceKey("default", "svc1234");
    static final String POOL = "p3";
    static final int SERVICES = 50_000;
    static final int BATCH = 10_000;

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = Files.createTempDirectory("ledgerlb-bench-audit-");
        journalCost(dir, Math.min(events, 200_000));
        try (KafkaLedger ledger = KafkaLedger.open(LedgerConfig.embedded(dir))) {
            long writeStart = System.nanoTime();
            fill(ledger, events);
            System.out.printf("ledger of %,d events written (topic, journal, audit index) in %.1f s%n", events,
                    (System.nanoTime() - writeStart) / 1e9);
            // the same topic without the SQLite file: the audit scans it, as it does when the journal lags
            LedgerConfig scanOnly = LedgerConfig.external(ledger.bootstrapServers(),
                    BrokerCredentials.loadOrGenerate(dir).readerClient()).withoutSqlite();
            try (KafkaLedger unindexed = KafkaLedger.open(scanOnly)) {
                LedgerQueries indexed = new LedgerQueries(ledger, CoreAllocationStep.forCounting());
                LedgerQueries scanned = new LedgerQueries(unindexed, CoreAllocationStep.forCounting());
                AuditQuery byIp = query(Optional.empty(), Optional.of(IP), Optional.empty());
                AuditQuery byService = query(Optional.of(SERVICE), Optional.empty(), Optional.empty());
                AuditQuery byPool = query(Optional.empty(), Optional.empty(), Optional.of(POOL));
                Path sqlite = dir.resolve(LedgerConfig.SQLITE_FILE_NAME);
                for (int round = 1; round <= 3; round++) { // the last round counts; the first ones warm up
                    System.out.printf("round %d%n", round);
                    double raw = time("raw consumer read of every record (reference)", () -> rawRead(ledger, dir));
                    double scan = time("audit --ip, full scan (no SQLite file)", () -> scanned.audit(byIp).size());
                    double lookup = time("plain SQLite lookup of the IP's rows, bytes (reference)",
                            () -> plainLookup(sqlite, Subject.ip(IP)));
                    double ip = time("audit --ip through the index", () -> indexed.audit(byIp).size());
                    time("audit --service through the index", () -> indexed.audit(byService).size());
                    time("audit --pool through the index", () -> indexed.audit(byPool).size());
                    time("plain SQLite lookup of the pool's rows, bytes (reference)", () -> plainLookup(sqlite, Subject.pool(POOL)));
                    double cli = time("`ledgerlb audit --ip` in-process against this broker (opens clients and SQLite)",
                            () -> cli(ledger, dir, "--ip", IP));
                    System.out.printf("  ratios: audit --ip/raw read %.3f, audit --ip/full scan %.3f, "
                            + "audit --ip/plain SQLite %.1f, CLI/raw read %.3f%n", ip / raw, ip / scan, ip / lookup, cli / raw);
                }
            }
        } finally {
            TempDirs.delete(dir);
        }
        System.exit(0);
    }

    private static AuditQuery query(Optional<ServiceKey> service, Optional<String> ip, Optional<String> pool) {
        return new AuditQuery(service, ip, pool, Optional.empty(), Optional.empty());
    }

    /** Runs {@code work} once, prints its time and result, returns the seconds. */
    private static double time(String what, Callable<Object> work) throws Exception {
        long start = System.nanoTime();
        Object result = work.call();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("  %-85s %8.3f s  (%s)%n", what, seconds, result);
        return seconds;
    }

    /**
     * Event {@code i} of the bench's ledger: 256 pools of a /24 each, then Services taking and
     * giving back IPs of the /16 (IPs cycle every 65,536 assignments and Services every 50,000, so
     * each has many entries).
     */
    static Event event(int i) {
        Cause cause = Cause.newBuilder().setKind("Service").setReason("Bench").build();
        Event.Builder e = Event.newBuilder().setActor("bench").setCause(cause);
        if (i < 256) {
            return e.setPoolDefined(PoolDefined.newBuilder().setName("p" + i).addAddresses("10.77." + i + ".0/24")).build();
        }
        int n = i / 2;
        int third = (n / 256) % 256;
        String ip = "10.77." + third + "." + (n % 256);
        ServiceRef service = ServiceRef.newBuilder().setNamespace("default").setName("svc" + (n % SERVICES)).build();
        if (i % 2 == 0) {
            return e.setIpAssigned(IpAssigned.newBuilder().setService(service).setIp(ip).setPool("p" + third)).build();
        }
        return e.setIpReleased(IpReleased.newBuilder().setService(service).setIp(ip).setPool("p" + third)
                .setReason(ReleaseReason.SERVICE_DELETED)).build();
    }

    private static void fill(KafkaLedger ledger, int events) throws Exception {
        try (KafkaLedgerWriter writer = ledger.openWriter("bench")) {
            List<Event> batch = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                batch.add(event(i));
                if (batch.size() == BATCH) {
                    writer.append(batch);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                writer.append(batch);
            }
        }
    }

    /**
     * The write side of the index: journaling {@code count} sealed entries in transactions of
     * 10,000 through {@code Journal.append} (rows and their audit index), against the same rows
     * written into a journal table alone with plain JDBC (same pragmas, same batches).
     */
    private static void journalCost(Path dir, int count) throws Exception {
        List<LedgerEntry> entries = new ArrayList<>(count);
        byte[] prev = HashChain.GENESIS;
        for (int i = 0; i < count; i++) {
            LedgerEntry entry = LedgerEntry.seal(event(i).toBuilder().setSequence(i + 1L)
                    .setPrevHash(ByteString.copyFrom(prev)).build());
            entries.add(entry);
            prev = entry.hash();
        }
        long start = System.nanoTime();
        try (LedgerDatabase db = LedgerDatabase.open(dir.resolve("indexed.db"))) {
            for (int i = 0; i < count; i += BATCH) {
                db.journal().append(entries.subList(i, Math.min(count, i + BATCH)));
            }
        }
        double indexed = (System.nanoTime() - start) / 1e9;
        start = System.nanoTime();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("plain.db"))) {
            try (var s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("CREATE TABLE journal (sequence INTEGER PRIMARY KEY, entry BLOB NOT NULL)");
            }
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO journal(sequence, entry) VALUES (?, ?)")) {
                for (int i = 0; i < count; i++) {
                    insert.setLong(1, entries.get(i).sequence());
                    insert.setBytes(2, entries.get(i).encode());
                    insert.addBatch();
                    if ((i + 1) % BATCH == 0 || i == count - 1) {
                        insert.executeBatch();
                        c.commit();
                    }
                }
            }
        }
        double plain = (System.nanoTime() - start) / 1e9;
        System.out.printf("journal of %,d entries: with the audit index %.2f s (%,.0f/s); journal rows alone, plain JDBC "
                + "(reference) %.2f s (%,.0f/s); ratio %.2f%n", count, indexed, count / indexed, plain, count / plain,
                indexed / plain);
    }

    /**
     * Every record of the topic through a plain read_committed consumer, undecoded (also
     * ExplorerBench's reference), as the readers' user of the embedded broker in {@code dataDir}.
     */
    static long rawRead(KafkaLedger ledger, Path dataDir) {
        TopicPartition partition = new TopicPartition(ledger.config().eventsTopic(), 0);
        Map<String, Object> settings = new java.util.HashMap<>(BrokerCredentials.loadOrGenerate(dataDir).readerClient());
        settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ledger.bootstrapServers());
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        try (var consumer = new KafkaConsumer<byte[], byte[]>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long records = 0;
            while (consumer.position(partition) < end) {
                records += consumer.poll(Duration.ofMillis(500)).count();
            }
            return records;
        }
    }

    /** The rows of one subject's entries with one JDBC query on a fresh connection: no decoding, no checks. */
    private static long plainLookup(Path sqlite, Subject subject) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + sqlite);
             PreparedStatement q = c.prepareStatement("SELECT j.entry FROM audit_index i JOIN journal j "
                     + "ON j.sequence = i.sequence WHERE i.kind = ? AND i.subject = ? ORDER BY i.sequence")) {
            q.setInt(1, subject.kind().ordinal());
            q.setString(2, subject.key());
            long bytes = 0;
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    bytes += rs.getBytes(1).length;
                }
            }
            return bytes;
        }
    }

    /** The audit command as a user runs it, in this JVM, against the bench's broker and SQLite file. */
    private static int cli(KafkaLedger ledger, Path dataDir, String... query) {
        List<String> args = new ArrayList<>(List.of("audit", "--direct", "--kafka-bootstrap", ledger.bootstrapServers(),
                "--kafka-properties-file", dataDir.resolve(BrokerCredentials.READER_FILE_NAME).toString(),
                "--data-dir", dataDir.toString()));
        args.addAll(List.of(query));
        CommandLine cli = LedgerlbCommand.commandLine();
        cli.setOut(new PrintWriter(OutputStream.nullOutputStream()));
        int exit = cli.execute(args.toArray(String[]::new));
        if (exit != 0) {
            throw new IllegalStateException("ledgerlb audit exited " + exit);
        }
        return exit;
    }
}
