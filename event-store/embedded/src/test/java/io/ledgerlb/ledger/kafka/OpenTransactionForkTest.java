package io.ledgerlb.ledger.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.ChainReport;
import io.ledgerlb.ledger.LedgerWriteException;
import io.ledgerlb.ledger.Progress;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.testing.LedgerFixture;
import io.ledgerlb.ledger.testing.SampleEvents;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The fork of issue 11: a transaction still open on the partition when a writer reads its tail
 * (a dead writer's, which the coordinator completes later) commits an entry behind that tail.
 * Here a second transactional producer holds such a transaction open, with the next entry of
 * the chain in it, and commits it while the ledger's writer opens or commits: the chain must
 * stay one chain either way.
 */
class OpenTransactionForkTest {

    @Test
    void aWriterOpeningBesideAnOpenTransactionReadsTheTailOnlyOnceItIsResolved() throws Exception {
        try (KafkaLedger ledger = LedgerFixture.open("fork-open")) {
            LedgerEntry tail = writtenByAFirstWriter(ledger);
            try (Producer<byte[], byte[]> dead = ledger.clients().transactionalProducer("dead-writer")) {
                dead.initTransactions();
                dead.beginTransaction();
                dead.send(KafkaLedgerWriter.record(ledger.config().eventsTopic(), tail.sequence() + 1,
                        next(tail, "dead").encode())).get();

                CompletableFuture<KafkaLedgerWriter> opening = CompletableFuture.supplyAsync(() -> {
                    try {
                        return ledger.openWriter("second");
                    } catch (LedgerWriteException e) {
                        throw new IllegalStateException(e);
                    }
                });
                Thread.sleep(1_000); // the writer is waiting now (or, on a slow machine, not yet opened: same end)
                dead.commitTransaction();
                try (KafkaLedgerWriter second = opening.get(60, TimeUnit.SECONDS)) {
                    assertThat(second.lastSequence()).isEqualTo(tail.sequence() + 1);
                    second.append(List.of(SampleEvents.assign("after", "10.99.9.9")));
                }
            }
            assertOneChain(ledger, tail.sequence() + 2);
        }
    }

    @Test
    void aCommitIsAbortedWhenAnEntryCommittedBehindTheTailItRead() throws Exception {
        try (KafkaLedger ledger = LedgerFixture.open("fork-commit");
             KafkaLedgerWriter writer = ledger.openWriter("writer")) {
            LedgerEntry tail = last(writer.append(SampleEvents.assignments(0, 3)));
            try (Producer<byte[], byte[]> dead = ledger.clients().transactionalProducer("dead-writer")) {
                dead.initTransactions();
                dead.beginTransaction();
                dead.send(KafkaLedgerWriter.record(ledger.config().eventsTopic(), tail.sequence() + 1,
                        next(tail, "dead").encode())).get();

                CompletableFuture<List<LedgerEntry>> appending = CompletableFuture.supplyAsync(() -> {
                    try {
                        return writer.append(List.of(SampleEvents.assign("rival", "10.99.8.8")));
                    } catch (LedgerWriteException e) {
                        throw new IllegalStateException(e);
                    }
                });
                Thread.sleep(1_000);
                dead.commitTransaction();
                assertThatThrownBy(() -> appending.get(60, TimeUnit.SECONDS))
                        .hasRootCauseInstanceOf(LedgerWriteException.class)
                        .hasMessageContaining("nothing committed");
            }
            assertThat(writer.lastSequence()).isEqualTo(tail.sequence() + 1);
            writer.append(List.of(SampleEvents.assign("after", "10.99.9.9")));
            assertOneChain(ledger, tail.sequence() + 2);
        }
    }

    /**
     * The hang a CI chaos run met: a transaction no coordinator will finish (here another
     * producer's, open for the 15 minutes Kafka allows) holds the last stable offset back, so a
     * restarted writer could never read the tail. The writer aborts it and goes on; the entry in
     * it is never committed, not even when its producer commits afterwards.
     */
    @Test
    void aTransactionNoOneFinishesIsAbortedAndTheWriterGoesOn() throws Exception {
        try (KafkaLedger ledger = LedgerFixture.open("fork-hanging")) {
            LedgerEntry tail = writtenByAFirstWriter(ledger);
            try (Producer<byte[], byte[]> hanging = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ledger.bootstrapServers(),
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "never-finishes",
                    ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) Duration.ofMinutes(15).toMillis()),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                hanging.initTransactions();
                hanging.beginTransaction();
                hanging.send(KafkaLedgerWriter.record(ledger.config().eventsTopic(), tail.sequence() + 1,
                        next(tail, "hanging").encode())).get();

                try (KafkaLedgerWriter second = ledger.openWriter("second")) {
                    assertThat(second.lastSequence()).isEqualTo(tail.sequence());
                    second.append(List.of(SampleEvents.assign("after", "10.99.9.9")));
                }
                try {
                    hanging.commitTransaction();
                } catch (KafkaException refused) {
                    // its coordinator may refuse it too; either way nothing of it may count
                }
            }
            assertOneChain(ledger, tail.sequence() + 1);
            List<String> names = new java.util.ArrayList<>();
            ledger.read(tail.sequence() + 1, e -> names.add(e.event().getIpAssigned().getService().getName()));
            assertThat(names).containsExactly("after");
        }
    }

    /** The last of three entries a first writer appends and then closes. */
    private static LedgerEntry writtenByAFirstWriter(KafkaLedger ledger) throws Exception {
        try (KafkaLedgerWriter first = ledger.openWriter("first")) {
            return last(first.append(SampleEvents.assignments(0, 3)));
        }
    }

    private static LedgerEntry last(List<LedgerEntry> entries) {
        return entries.get(entries.size() - 1);
    }

    /** The entry that continues {@code tail}, as another writer holding the key would seal and sign it. */
    private static LedgerEntry next(LedgerEntry tail, String actor) {
        Event event = SampleEvents.assign("from-" + actor, "10.99.7.7").toBuilder()
                .setSequence(tail.sequence() + 1).setPrevHash(ByteString.copyFrom(tail.hash())).setActor(actor)
                .setTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(1)).build();
        return LedgerEntry.seal(event).signedBy(LedgerFixture.signingKey());
    }

    private static void assertOneChain(KafkaLedger ledger, long lastSequence) throws Exception {
        ChainReport report = ledger.verifyLog(Progress.NONE);
        assertThat(report.intact()).as(report.toString()).isTrue();
        assertThat(report.lastSequence()).isEqualTo(lastSequence);
        assertThat(ledger.lastSequence()).isEqualTo(lastSequence);
    }
}
