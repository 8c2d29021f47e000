package io.ledgerlb.allocator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.LedgerWriter;
import io.ledgerlb.ledger.ChainReport;
import io.ledgerlb.ledger.Progress;
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
 * A record appended beside the chain by someone who can write to the topic but holds no signing
 * key (made here with a raw producer: the same sequence and prev_hash as a real entry, unsigned).
 * Before the ledger was signed this was a fork that stopped the allocator for good; now readers
 * pass over it alike, so the allocator leads, continues the signed chain and decides, and verify
 * blames the forged record by its sequence.
 */
public class BrokenChainTest {

    @Test
    void aForgedRivalBesideTheChainNeitherStopsNorForksTheAllocator() throws Exception {
        try (MockCluster cluster = new MockCluster();
             KafkaLedger ledger = LedgerFixture.open("forked-" + UUID.randomUUID())) {
            List<LedgerEntry> written = writtenByAFirstWriter(ledger);
            LedgerEntry parent = written.get(written.size() - 2);
            fork(ledger, parent);
            long before = ledger.lastSequence();
            assertThat(before).isEqualTo(written.get(written.size() - 1).sequence());

            KubernetesClient client = cluster.newClient();
            AllocatorController controller = Allocators.started(client, ledger, "allocator-a");
            controller.startLeading();
            assertThat(controller.chainBroken()).isEmpty();
            assertThat(controller.leading()).isTrue();
            cluster.pool("blue", "10.99.48.0/24");
            cluster.loadBalancer("default", "web", Map.of());
            await().atMost(Duration.ofMinutes(1)).until(() -> !cluster.ingressIps("default", "web").isEmpty());
            assertThat(ledger.lastSequence()).isGreaterThan(before);

            ChainReport report = ledger.verifyLog(Progress.NONE);
            assertThat(report.passedOver()).as(report.toString()).singleElement()
                    .satisfies(p -> assertThat(p.sequence()).isEqualTo(parent.sequence() + 1));
            controller.close();
        }
    }

    /**
     * A real fork (issue 11.1): a rival signed with the writer's own key, as a killed writer's late
     * transaction would be. No reader can tell which of the two is the chain, so the allocator
     * refuses to lead, and says so where {@code /readyz} and the metric read it.
     */
    @Test
    void aSignedForkMakesTheAllocatorRefuseToLead() throws Exception {
        try (MockCluster cluster = new MockCluster();
             KafkaLedger ledger = LedgerFixture.open("signed-fork-" + UUID.randomUUID())) {
            signedFork(ledger);

            AllocatorController controller = Allocators.started(cluster.newClient(), ledger, "allocator-a");
            assertThatThrownBy(controller::startLeading).isInstanceOf(LedgerFormatException.class);
            assertThat(controller.leading()).isFalse();
            assertThat(controller.chainBroken()).as("what /readyz and ledgerlb_allocator_chain_broken report").isPresent();
            controller.close();
        }
    }

    /**
     * Writes a few entries and a rival of the one before the last signed with the writer's own key,
     * as a killed writer's late transaction would be: a fork no reader can settle.
     */
    public static void signedFork(KafkaLedger ledger) throws Exception {
        List<LedgerEntry> written = writtenByAFirstWriter(ledger);
        append(ledger, rival(written.get(written.size() - 2), "killed").signedBy(LedgerFixture.signingKey()));
    }

    private static List<LedgerEntry> writtenByAFirstWriter(KafkaLedger ledger) throws Exception {
        try (LedgerWriter writer = ledger.openWriter("first")) {
            return writer.append(SampleEvents.assignments(0, 3));
        }
    }

    /** Appends, outside any writer, a second entry that continues {@code parent}: two entries now share a sequence. */
    private static void fork(KafkaLedger ledger, LedgerEntry parent) throws Exception {
        append(ledger, rival(parent, "raw"));
    }

    private static LedgerEntry rival(LedgerEntry parent, String actor) {
        Event event = SampleEvents.assign("forged", "10.99.6.6").toBuilder()
                .setSequence(parent.sequence() + 1).setPrevHash(ByteString.copyFrom(parent.hash())).setActor(actor)
                .setTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(1)).build();
        return LedgerEntry.seal(event);
    }

    private static void append(KafkaLedger ledger, LedgerEntry entry) throws Exception {
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers", ledger.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(ledger.config().eventsTopic(), 0,
                    ByteBuffer.allocate(Long.BYTES).putLong(entry.sequence()).array(), entry.encode())).get();
        }
    }
}
