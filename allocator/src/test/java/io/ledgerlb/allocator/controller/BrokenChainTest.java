package io.ledgerlb.allocator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.LedgerWriter;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.testing.LedgerFixture;
import io.ledgerlb.ledger.testing.SampleEvents;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * A forked topic (two committed entries with one sequence, made here with a raw producer): the
 * allocator refuses to lead, says why, stops competing for the Lease, and writes nothing.
 */
class BrokenChainTest {

    @Test
    void anAllocatorRefusesToLeadOnAForkedTopicAndStopsCompeting() throws Exception {
        try (MockCluster cluster = new MockCluster();
             KafkaLedger ledger = LedgerFixture.open("forked-" + UUID.randomUUID())) {
            List<LedgerEntry> written;
            try (LedgerWriter writer = ledger.openWriter("first")) {
                written = writer.append(SampleEvents.assignments(0, 3));
            }
            fork(ledger, written.get(written.size() - 2));
            long before = ledger.lastSequence();

            KubernetesClient client = cluster.newClient();
            AllocatorController controller = Allocators.started(client, ledger, "allocator-a");
            assertThatThrownBy(controller::startLeading).isInstanceOf(LedgerFormatException.class);
            assertThat(controller.chainBroken()).get().asString().contains("fork");
            assertThat(controller.leading()).isFalse();

            Leadership leadership = new Leadership(client, controller, new Leadership.Settings("ledgerlb-system",
                    "ledgerlb-allocator", Duration.ofSeconds(4), Duration.ofSeconds(3), Duration.ofMillis(500)),
                    "allocator-a");
            leadership.start();
            await().atMost(Duration.ofMinutes(1)).until(() -> "allocator-a".equals(leadership.leader()));
            cluster.pool("blue", "10.99.48.0/24");
            cluster.loadBalancer("default", "web", Map.of());
            Thread.sleep(3_000); // a leader would have decided by now; this one must not
            assertThat(controller.leading()).isFalse();
            assertThat(ledger.lastSequence()).isEqualTo(before);
            assertThat(cluster.ingressIps("default", "web")).isEmpty();
            leadership.close();
            controller.close();
        }
    }

    /** Appends, outside any writer, a second entry that continues {@code parent}: two entries now share a sequence. */
    private static void fork(KafkaLedger ledger, LedgerEntry parent) throws Exception {
        Event event = SampleEvents.assign("forged", "10.99.6.6").toBuilder()
                .setSequence(parent.sequence() + 1).setPrevHash(ByteString.copyFrom(parent.hash())).setActor("raw")
                .setTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(1)).build();
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers", ledger.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(ledger.config().eventsTopic(), 0,
                    ByteBuffer.allocate(Long.BYTES).putLong(event.getSequence()).array(),
                    LedgerEntry.seal(event).encode())).get();
        }
    }
}
