package io.ledgerlb.allocator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Timestamp;
import io.ledgerlb.admin.v1.StatusResponse;
import io.ledgerlb.allocator.admin.AdminServer;
import io.ledgerlb.allocator.admin.AdminService;
import io.ledgerlb.allocator.admin.LedgerQueries;
import io.ledgerlb.allocator.controller.CoreAllocationStep;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.SnapshotInfo;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.kafka.KafkaLedgerWriter;
import io.ledgerlb.ledger.testing.LedgerFixture;
import io.ledgerlb.ledger.testing.SampleEvents;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ledgerlb.ledger.event.LedgerEntry;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.slf4j.LoggerFactory;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The ledgerlb commands end to end on a real ledger (embedded Kafka, SQLite journal): output and exit codes. */
class LedgerlbCliTest {
    static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

    @TempDir
    static Path dataDir;
    static LedgerConfig config;

    /** What a command printed and how it exited. */
    record Result(int exit, String out, String err) {}

    @BeforeAll
    static void writeLedger() throws Exception {
        config = LedgerFixture.config("cli").withSqlite(dataDir.resolve(LedgerConfig.SQLITE_FILE_NAME));
        try (KafkaLedger ledger = KafkaLedger.open(config); KafkaLedgerWriter writer = ledger.openWriter("test")) {
            writer.append(List.of(at(SampleEvents.pool("p", "10.99.0.0/16"), 0)));
            writer.append(List.of(at(SampleEvents.assign("s1", "10.99.0.1"), 1)));
            writer.append(List.of(at(SampleEvents.release("s1", "10.99.0.1"), 2)));
            writer.append(List.of(at(SampleEvents.assign("s2", "10.99.0.1"), 3), at(SampleEvents.assign("s3", "10.99.0.2"), 3)));
        }
    }

    static Event at(Event event, int hours) {
        Instant t = T0.plusSeconds(3600L * hours);
        return event.toBuilder().setActor("test")
                .setTime(Timestamp.newBuilder().setSeconds(t.getEpochSecond())).build();
    }

    static Result runOn(String topic, String... args) {
        return runOn(topic, dataDir, args);
    }

    static Result runOn(String topic, Path data, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (topic != null) {
            all.addAll(List.of("--kafka-bootstrap", LedgerFixture.bootstrapServers(), "--topic", topic,
                    "--data-dir", data.toString(), "--signing-key", LedgerFixture.signingKeyFile().toString(),
                    "--trusted-keys", LedgerFixture.trustedKeysFile().toString()));
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = LedgerlbCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(all.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }

    static Result run(String... args) {
        return runOn(config.eventsTopic(), args);
    }

    @Test
    void auditByIpShowsWhoHeldItAndWhy() throws Exception {
        Result r = run("audit", "--ip", "10.99.0.1", "--json", "--direct");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode events = EventFormat.JSON.readTree(r.out());
        assertThat(events).hasSize(3);
        assertThat(events.get(0).get("type").asText()).isEqualTo("IpAssigned");
        assertThat(events.get(0).get("subject").asText()).isEqualTo("default/s1");
        assertThat(events.get(1).get("type").asText()).isEqualTo("IpReleased");
        assertThat(events.get(1).get("why").asText()).isEqualTo("SERVICE_DELETED");
        assertThat(events.get(2).get("subject").asText()).isEqualTo("default/s2");
    }

    @Test
    void auditByServiceAndTimeRange() {
        Result byService = run("audit", "--service", "default/s1", "--direct");
        assertThat(byService.exit()).isZero();
        assertThat(byService.out().lines().filter(l -> l.contains("default/s1"))).hasSize(2);

        Result since = run("audit", "--ip", "10.99.0.1", "--since", "2026-11-30T12:30:00Z", "--direct");
        assertThat(since.exit()).isZero();
        assertThat(since.out().lines().skip(1)).singleElement().asString().contains("default/s2");

        Result pool = run("audit", "--pool", "p", "--until", "2026-11-30T10:30:00Z", "--direct");
        assertThat(pool.out().lines().skip(1)).singleElement().asString().contains("PoolDefined");
    }

    @Test
    void auditReadsTheIndexAndScansTheTopicWhereThereIsNoJournal(@TempDir Path noJournal) throws Exception {
        List<String> paths = new ArrayList<>();
        Logger logger = (Logger) LoggerFactory.getLogger(LedgerQueries.class);
        Level level = logger.getLevel();
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        logger.setLevel(Level.INFO);
        try {
            for (String[] query : List.of(new String[] {"--ip", "10.99.0.1"}, new String[] {"--service", "default/s1"},
                    new String[] {"--pool", "p"}, new String[] {"--pool", "p", "--ip", "10.99.0.2"})) {
                logged.list.clear();
                Result indexed = runOn(config.eventsTopic(), dataDir, concat(query, "audit", "--json", "--direct"));
                assertThat(logged.list).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                        .contains("through the SQLite audit index");
                logged.list.clear();
                Result scanned = runOn(config.eventsTopic(), noJournal, concat(query, "audit", "--json", "--direct"));
                assertThat(logged.list).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                        .contains("scanning the whole topic").contains("the journal ends at sequence 0, the topic at");
                assertThat(indexed.exit()).as(indexed.err()).isZero();
                assertThat(EventFormat.JSON.readTree(indexed.out())).as(String.join(" ", query))
                        .isNotEmpty().isEqualTo(EventFormat.JSON.readTree(scanned.out()));
            }
        } finally {
            logger.detachAppender(logged);
            logger.setLevel(level);
        }
    }

    @Test
    void anAlteredJournalRowFailsTheAuditAndTheVerify(@TempDir Path data) throws Exception {
        LedgerConfig altered = ledgerIn(data, "cli-altered", SampleEvents.pool("p", "10.99.0.0/16"),
                SampleEvents.assign("s1", "10.99.0.1"), SampleEvents.release("s1", "10.99.0.1"));
        // the row of sequence 2 edited by hand: another IP, the old hash
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + altered.sqliteFile().orElseThrow())) {
            byte[] stored;
            try (PreparedStatement q = c.prepareStatement("SELECT entry FROM journal WHERE sequence = 2");
                 ResultSet rs = q.executeQuery()) {
                assertThat(rs.next()).isTrue();
                stored = rs.getBytes(1);
            }
            LedgerEntry original = LedgerEntry.decode(stored);
            Event forged = original.event().toBuilder()
                    .setIpAssigned(original.event().getIpAssigned().toBuilder().setIp("10.99.0.2")).build();
            try (PreparedStatement u = c.prepareStatement("UPDATE journal SET entry = ? WHERE sequence = 2")) {
                u.setBytes(1, new LedgerEntry(forged, forged.toByteArray(), original.hash()).encode());
                assertThat(u.executeUpdate()).isEqualTo(1);
            }
        }
        Result audit = runOn(altered.eventsTopic(), data, "audit", "--service", "default/s1", "--direct");
        assertThat(audit.exit()).as(audit.out()).isEqualTo(LedgerlbCommand.FAILURE_FOUND);
        assertThat(audit.err()).contains("journal row 2").contains("altered");
        Result verify = runOn(altered.eventsTopic(), data, "verify");
        assertThat(verify.exit()).isEqualTo(LedgerlbCommand.FAILURE_FOUND);
        assertThat(verify.out()).contains("journal:").contains("sequence 2");
    }

    @Test
    void kafkaPropertiesReachTheConsumersAndTheProducer(@TempDir Path data) throws Exception {
        LedgerConfig own = ledgerIn(data, "cli-properties", SampleEvents.pool("p", "10.99.0.0/16"), SampleEvents.assign("s1", "10.99.0.1"));
        RecordingInterceptor.clear();
        String[] properties = {"--kafka-property", "interceptor.classes=" + RecordingInterceptor.class.getName(),
                "--kafka-property", "client.id=ledgerlb-cli-probe"};
        Result audit = runOn(own.eventsTopic(), data, concat(properties, "audit", "--ip", "10.99.0.1", "--direct"));
        assertThat(audit.exit()).as(audit.err()).isZero();
        assertThat(RecordingInterceptor.CLIENT_IDS).isNotEmpty().containsOnly("ledgerlb-cli-probe");
        assertThat(RecordingInterceptor.CONSUMED).isNotEmpty().containsOnly("ledgerlb-cli-probe " + own.eventsTopic());

        Result snapshot = runOn(own.eventsTopic(), data, concat(properties, "snapshot", "create", "--direct"));
        assertThat(snapshot.exit()).as(snapshot.err()).isZero();
        assertThat(RecordingInterceptor.SENT).contains("ledgerlb-cli-probe " + own.eventsTopic(),
                "ledgerlb-cli-probe " + own.snapshotsTopic());
    }

    @Test
    void kafkaClientSettingsWithoutAnExternalKafkaAreRefusedNotIgnored(@TempDir Path data) {
        Result r = runOn(null, data, "verify", "--data-dir", data.toString(), "--kafka-property", "security.protocol=SSL");
        assertThat(r.exit()).isEqualTo(LedgerlbCommand.USAGE);
        assertThat(r.err()).contains("--kafka-bootstrap");
    }

    @Test
    void anInvalidKafkaPropertyIsAConfigurationErrorOfRunAndTheOtherCommands(@TempDir Path data) {
        String[] bogus = {"--kafka-property", "security.protocol=BOGUS"};
        for (String[] command : List.of(new String[] {"run", "--local", "--metrics-port", "0", "--admin", "127.0.0.1:0"},
                new String[] {"audit", "--ip", "10.99.0.1", "--direct"}, new String[] {"verify"})) {
            Result r = runOn(config.eventsTopic(), data, concat(bogus, command));
            assertThat(r.exit()).as(String.join(" ", command) + ": " + r.out() + r.err()).isEqualTo(LedgerlbCommand.USAGE);
            assertThat(r.err()).as(command[0]).contains("Kafka").contains("security.protocol").contains("BOGUS");
        }
        // the same commands without the property work against this broker: it is the property that failed them
        assertThat(runOn(config.eventsTopic(), data, "audit", "--ip", "10.99.0.1", "--direct").exit()).isZero();
    }

    @Test
    void verifyFindsAHiddenIndexRowAndRebuildsTheIndex(@TempDir Path data) throws Exception {
        LedgerConfig own = ledgerIn(data, "cli-index", SampleEvents.pool("p", "10.99.0.0/16"),
                SampleEvents.assign("s1", "10.99.0.1"), SampleEvents.release("s1", "10.99.0.1"));
        assertThat(runOn(own.eventsTopic(), data, "verify").out()).contains("audit index: 7 rows, exactly the subjects");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + own.sqliteFile().orElseThrow());
             PreparedStatement delete = c.prepareStatement("DELETE FROM audit_index WHERE kind = 0 AND sequence = 2")) {
            assertThat(delete.executeUpdate()).isEqualTo(1); // the assignment hidden from audits by IP
        }
        Result hidden = runOn(own.eventsTopic(), data, "audit", "--ip", "10.99.0.1", "--direct", "--json");
        assertThat(EventFormat.JSON.readTree(hidden.out())).hasSize(1);

        Result verify = runOn(own.eventsTopic(), data, "verify");
        assertThat(verify.exit()).isEqualTo(LedgerlbCommand.FAILURE_FOUND);
        assertThat(verify.out()).contains("audit index: 6 rows, but the journal's entries give 7");
        Result rebuilt = runOn(own.eventsTopic(), data, "verify", "--rebuild-index");
        assertThat(rebuilt.exit()).as(rebuilt.out()).isZero();
        Result audit = runOn(own.eventsTopic(), data, "audit", "--ip", "10.99.0.1", "--direct", "--json");
        assertThat(EventFormat.JSON.readTree(audit.out())).hasSize(2);
    }

    /** A fresh ledger on the shared broker with its SQLite file in {@code data}, holding {@code events}. */
    static LedgerConfig ledgerIn(Path data, String name, Event... events) throws Exception {
        LedgerConfig own = LedgerFixture.config(name).withSqlite(data.resolve(LedgerConfig.SQLITE_FILE_NAME));
        try (KafkaLedger ledger = KafkaLedger.open(own); KafkaLedgerWriter writer = ledger.openWriter("test")) {
            writer.append(List.of(events));
        }
        return own;
    }

    static String[] concat(String[] query, String... command) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(query));
        return all.toArray(String[]::new);
    }

    @Test
    void stateAtASequenceAndAtATime() throws Exception {
        Result atTwo = run("state", "--at", "2", "--json", "--direct");
        assertThat(atTwo.exit()).as(atTwo.err()).isZero();
        JsonNode two = EventFormat.JSON.readTree(atTwo.out());
        assertThat(two.get("sequence").asLong()).isEqualTo(2);
        assertThat(two.get("assignments")).hasSize(1);
        assertThat(two.get("assignments").get(0).get("service").asText()).isEqualTo("default/s1");

        Result later = run("state", "--at", "2026-11-30T13:30:00Z", "--direct");
        assertThat(later.exit()).isZero();
        assertThat(later.out()).contains("default/s2").contains("default/s3").doesNotContain("default/s1 ");
    }

    @Test
    void verifyReplayAndSnapshots() {
        Result verify = run("verify");
        assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
        assertThat(verify.out()).contains("chain intact");

        Result replay = run("replay");
        assertThat(replay.exit()).as(replay.out() + replay.err()).isZero();
        assertThat(replay.out()).contains("equals the full replay");

        Result create = run("snapshot", "create", "--direct");
        assertThat(create.exit()).as(create.err()).isZero();
        Result list = run("snapshot", "list");
        assertThat(list.out()).contains("yes");
        assertThat(run("snapshot", "verify").exit()).isZero();
    }

    @Test
    void recoverRebuildsALostTopicFromTheJournal() throws Exception {
        String lost = LedgerFixture.config("cli-recovered").eventsTopic();
        Result recover = runOn(lost, "recover");
        assertThat(recover.exit()).as(recover.out() + recover.err()).isZero();
        assertThat(recover.out()).contains("entries written");

        Result verify = runOn(lost, "verify");
        assertThat(verify.exit()).as(verify.out()).isZero();
        Result audit = runOn(lost, "audit", "--ip", "10.99.0.1", "--direct", "--json");
        assertThat(EventFormat.JSON.readTree(audit.out())).hasSize(3);

        // a record that is not a ledger entry breaks the chain: verify finds it and exits 1
        try (var producer = new KafkaProducer<byte[], byte[]>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LedgerFixture.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(lost, 0, null, "forged".getBytes())).get();
        }
        Result broken = runOn(lost, "verify");
        assertThat(broken.exit()).as(broken.out()).isEqualTo(LedgerlbCommand.FAILURE_FOUND);
    }

    @Test
    void planGivesTheIpsTheAllocatorWould() throws Exception {
        Path pools = Files.writeString(dataDir.resolve("pools.yaml"), """
                apiVersion: metallb.io/v1beta1
                kind: IPAddressPool
                metadata: {name: blue, namespace: metallb-system}
                spec:
                  addresses: [192.0.2.10-192.0.2.12]
                """);
        Path services = Files.writeString(dataDir.resolve("services.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec: {type: LoadBalancer, ports: [{port: 80}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: api, namespace: shop, annotations: {metallb.io/loadBalancerIPs: 192.0.2.12}}
                spec: {type: LoadBalancer, ports: [{port: 443}]}
                """);
        Result ok = runOn(null, "plan", "-f", pools.toString(), "-f", services.toString());
        assertThat(ok.exit()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.out()).containsPattern("Service/shop/web\\s+192.0.2.10\\s+blue\\s+allocated")
                .containsPattern("Service/shop/api\\s+192.0.2.12\\s+blue\\s+allocated");

        Path outside = Files.writeString(dataDir.resolve("outside.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: far, namespace: shop, annotations: {metallb.io/loadBalancerIPs: 198.51.100.1}}
                spec: {type: LoadBalancer}
                """);
        Result refused = runOn(null, "plan", "-f", pools.toString(), "-f", outside.toString());
        assertThat(refused.exit()).isEqualTo(LedgerlbCommand.FAILURE_FOUND);
        assertThat(refused.out()).contains("Service/shop/far").contains("REFUSED");
    }

    @Test
    void theCommandsUseTheAdminApiOfARunningAllocator() throws Exception {
        try (KafkaLedger ledger = KafkaLedger.open(config.withoutSqlite())) {
            long last = ledger.lastSequence();
            AdminService service = new AdminService(new LedgerQueries(ledger, CoreAllocationStep.forCounting()),
                    new AdminService.Allocator() {
                        @Override
                        public StatusResponse status() {
                            return StatusResponse.newBuilder().setInstance("running").setLeader(true).build();
                        }

                        @Override
                        public SnapshotInfo takeSnapshot() {
                            throw new IllegalStateException("not the leader");
                        }
                    }, () -> {
                        try {
                            return ledger.stateAt(last);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
            try (AdminServer server = new AdminServer(new InetSocketAddress("127.0.0.1", 0), service)) {
                String admin = "127.0.0.1:" + server.port();
                // no ledger options at all: the answers can only come from the admin API
                Result audit = runOn(null, "audit", "--ip", "10.99.0.1", "--json", "--admin", admin);
                assertThat(audit.exit()).as(audit.err()).isZero();
                assertThat(EventFormat.JSON.readTree(audit.out())).hasSize(3);
                Result state = runOn(null, "state", "--admin", admin);
                assertThat(state.exit()).as(state.err()).isZero();
                assertThat(state.out()).contains("default/s2").contains("10.99.0.2");
                Result snapshot = runOn(null, "snapshot", "create", "--admin", admin);
                assertThat(snapshot.exit()).isEqualTo(LedgerlbCommand.FAILURE_FOUND);
                assertThat(snapshot.err()).contains("not the leader");
                Result restore = runOn(null, "restore", "status", "--admin", admin);
                assertThat(restore.exit()).as(restore.err()).isZero();
                assertThat(restore.out()).contains("restore mode off at sequence " + last + "; 0 Services missing");
                Result start = runOn(null, "restore", "start", "--admin", admin);
                assertThat(start.exit()).isEqualTo(LedgerlbCommand.FAILURE_FOUND);
                assertThat(start.err()).contains("restore start: this allocator takes no restore-mode commands");
            }
        }
    }

    @Test
    void importConfigMapPrintsTheMetalLbResources() throws Exception {
        Path legacy = Files.writeString(dataDir.resolve("configmap.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: config, namespace: metallb-system}
                data:
                  config: |
                    address-pools:
                    - name: default
                      protocol: layer2
                      addresses: [192.0.2.0/28]
                """);
        Result imported = runOn(null, "import-configmap", "-f", legacy.toString());
        assertThat(imported.exit()).as(imported.err()).isZero();
        assertThat(imported.out()).containsPattern("kind: \"?IPAddressPool").contains("192.0.2.0/28")
                .containsPattern("kind: \"?L2Advertisement");

        Path broken = Files.writeString(dataDir.resolve("broken.yaml"), "address-pools: [{name: x, protocol: ospf}]\n");
        assertThat(runOn(null, "import-configmap", "-f", broken.toString()).exit()).isEqualTo(LedgerlbCommand.USAGE);
    }

    @Test
    void usageAndConfigurationErrorsExitWithTwo() {
        assertThat(run("audit", "--direct").exit()).isEqualTo(LedgerlbCommand.USAGE);
        assertThat(runOn(null, "audit", "--bogus").exit()).isEqualTo(LedgerlbCommand.USAGE);
        Result noLedger = runOn(null, "verify", "--data-dir", dataDir.resolve("nothing-here").toString());
        assertThat(noLedger.exit()).isEqualTo(LedgerlbCommand.USAGE);
        assertThat(noLedger.err()).contains("no ledger in");
        assertThat(runOn(null, "plan", "-f", "/no/such/file.yaml").exit()).isEqualTo(LedgerlbCommand.USAGE);
        assertThat(runOn(null).exit()).isEqualTo(LedgerlbCommand.USAGE);
    }
}
