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
import org.apache.kafka.clients.producer.Producer;
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
            LedgerEntry tail;
            try (KafkaLedgerWriter first = ledger.openWriter("first")) {
                tail = last(first.append(SampleEvents.assignments(0, 3)));
            }
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

    private static LedgerEntry last(List<LedgerEntry> entries) {
        return entries.get(entries.size() - 1);
    }

    /** The entry that continues {@code tail}, as another writer would seal it. */
    private static LedgerEntry next(LedgerEntry tail, String actor) {
        Event event = SampleEvents.assign("from-" + actor, "10.99.7.7").toBuilder()
                .setSequence(tail.sequence() + 1).setPrevHash(ByteString.copyFrom(tail.hash())).setActor(actor)
                .setTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(1)).build();
        return LedgerEntry.seal(event);
    }

    private static void assertOneChain(KafkaLedger ledger, long lastSequence) throws Exception {
        ChainReport report = ledger.verifyLog(Progress.NONE);
        assertThat(report.intact()).as(report.toString()).isTrue();
        assertThat(report.lastSequence()).isEqualTo(lastSequence);
        assertThat(ledger.lastSequence()).isEqualTo(lastSequence);
    }
}
