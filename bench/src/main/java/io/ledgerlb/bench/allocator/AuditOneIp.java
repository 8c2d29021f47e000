package io.ledgerlb.bench.allocator;

import io.ledgerlb.allocator.admin.AuditQuery;
import io.ledgerlb.allocator.admin.LedgerQueries;
import io.ledgerlb.allocator.controller.CoreAllocationStep;
import io.ledgerlb.events.v1.Cause;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.IpReleased;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.events.v1.ReleaseReason;
import io.ledgerlb.events.v1.ServiceRef;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.kafka.KafkaLedgerWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code ledgerlb audit --ip} in a ledger of N events (default 1 M; embedded Kafka), against the
 * reference of a raw consumer reading the same records without decoding them, in the same run.
 * The audit decodes every entry, checks the hash chain and filters.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.ledgerlb.bench.allocator.AuditOneIp [events]</pre>
 */
public final class AuditOneIp {
    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = Files.createTempDirectory("ledgerlb-bench-audit-");
        try (KafkaLedger ledger = KafkaLedger.open(LedgerConfig.embedded(dir).withoutSqlite())) {
            long writeStart = System.nanoTime();
            fill(ledger, events);
            System.out.printf("ledger of %,d events written in %.1f s%n", events, (System.nanoTime() - writeStart) / 1e9);
            LedgerQueries queries = new LedgerQueries(ledger, CoreAllocationStep.forCounting());
            AuditQuery oneIp = new AuditQuery(Optional.empty(), Optional.of("10.77.3.7"), Optional.empty(),
                    Optional.empty(), Optional.empty());
            for (int round = 0; round < 3; round++) { // the last round counts; the first ones warm up
                long rawStart = System.nanoTime();
                long records = rawRead(ledger);
                double raw = (System.nanoTime() - rawStart) / 1e9;
                long auditStart = System.nanoTime();
                int found = queries.audit(oneIp).size();
                double audit = (System.nanoTime() - auditStart) / 1e9;
                System.out.printf("round %d: raw consumer read of %,d records %.2f s; audit --ip: %d entries in %.2f s; ratio %.2f%n",
                        round + 1, records, raw, found, audit, audit / raw);
            }
        } finally {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }

    /** A pool, then Services taking and giving back IPs of a /16 (IPs cycle, so one IP has many entries). */
    private static void fill(KafkaLedger ledger, int events) throws Exception {
        try (KafkaLedgerWriter writer = ledger.openWriter("bench")) {
            Cause cause = Cause.newBuilder().setKind("Service").setReason("Bench").build();
            List<Event> batch = new ArrayList<>();
            batch.add(Event.newBuilder().setActor("bench").setCause(cause)
                    .setPoolDefined(PoolDefined.newBuilder().setName("p").addAddresses("10.77.0.0/16")).build());
            for (int i = 1; i < events; i++) {
                int n = i / 2;
                String ip = "10.77." + ((n / 256) % 256) + "." + (n % 256);
                ServiceRef service = ServiceRef.newBuilder().setNamespace("default").setName("svc" + n).build();
                Event.Builder e = Event.newBuilder().setActor("bench").setCause(cause);
                if (i % 2 == 1) {
                    e.setIpAssigned(IpAssigned.newBuilder().setService(service).setIp(ip).setPool("p"));
                } else {
                    e.setIpReleased(IpReleased.newBuilder().setService(service).setIp(ip).setPool("p")
                            .setReason(ReleaseReason.SERVICE_DELETED));
                }
                batch.add(e.build());
                if (batch.size() == 10_000) {
                    writer.append(batch);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                writer.append(batch);
            }
        }
    }

    private static long rawRead(KafkaLedger ledger) {
        TopicPartition partition = new TopicPartition(ledger.config().eventsTopic(), 0);
        try (var consumer = new KafkaConsumer<byte[], byte[]>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ledger.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
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
}
