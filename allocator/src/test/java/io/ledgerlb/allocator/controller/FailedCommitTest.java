package io.ledgerlb.allocator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.Ledger;
import io.ledgerlb.ledger.LedgerFollower;
import io.ledgerlb.ledger.LedgerListener;
import io.ledgerlb.ledger.LedgerTransaction;
import io.ledgerlb.ledger.LedgerWriteException;
import io.ledgerlb.ledger.LedgerWriter;
import io.ledgerlb.ledger.Progress;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.testing.LedgerFixture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A batch whose transaction fails after its decisions were staged and folded: nothing of it
 * reaches the ledger or the Services, the controller folds its state again from the ledger, and
 * the retry gives every Service one IP of its own.
 */
class FailedCommitTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aFailedCommitLeavesNoTraceAndTheRetryDecidesAgainOnTheLedgersState() throws Exception {
        AtomicBoolean failNextCommit = new AtomicBoolean();
        try (MockCluster cluster = new MockCluster();
             KafkaLedger kafka = LedgerFixture.open("failed-commit-" + UUID.randomUUID())) {
            Ledger ledger = new FailingCommits(kafka, failNextCommit);
            AllocatorController controller = Allocators.leading(cluster, ledger, "allocator-a");
            try {
                cluster.pool("blue", "10.99.6.0/27");
                cluster.loadBalancer("shop", "first", Map.of());
                await().atMost(WAIT).until(() -> !cluster.ingressIps("shop", "first").isEmpty());
                long before = kafka.lastSequence();

                failNextCommit.set(true);
                IntStream.range(0, 10).forEach(i -> cluster.loadBalancer("shop", "svc" + i, Map.of()));

                await().atMost(WAIT).until(() -> IntStream.range(0, 10)
                        .allMatch(i -> !cluster.ingressIps("shop", "svc" + i).isEmpty()));
                assertThat(failNextCommit).isFalse(); // the failure did happen
                List<String> ips = IntStream.range(0, 10).mapToObj(i -> cluster.ingressIps("shop", "svc" + i).get(0)).toList();
                assertThat(ips).doesNotHaveDuplicates().doesNotContain(cluster.ingressIps("shop", "first").get(0));

                List<Event> written = Allocators.events(kafka).stream().filter(e -> e.getSequence() > before).toList();
                assertThat(written).filteredOn(Event::hasIpAssigned).extracting(e -> e.getIpAssigned().getIp())
                        .containsExactlyInAnyOrderElementsOf(ips);
                assertThat(kafka.verifyLog(Progress.NONE).intact()).isTrue();
                LedgerState ledgerState = kafka.stateAt(kafka.lastSequence());
                boolean same = controller.withState(s -> s.equals(ledgerState));
                assertThat(same).isTrue();
            } finally {
                controller.close();
            }
        }
    }

    @Test
    void readersSeeOnlyCommittedDecisionsEvenWhileACommitFails() throws Exception {
        AtomicBoolean failNextCommit = new AtomicBoolean();
        List<String> seenStaged = new java.util.concurrent.CopyOnWriteArrayList<>();
        AllocatorController[] self = {null};
        try (MockCluster cluster = new MockCluster();
             KafkaLedger kafka = LedgerFixture.open("readers-" + UUID.randomUUID())) {
            // just before every commit (failing or not) readers must see exactly the ledger's committed state
            Runnable beforeCommit = () -> {
                try {
                    LedgerState committed = kafka.lastSequence() == 0 ? new LedgerState() : kafka.stateAt(kafka.lastSequence());
                    if (self[0] != null && !self[0].withState(s -> s.equals(committed))) {
                        seenStaged.add("readers saw a state other than the ledger's at sequence " + kafka.lastSequence());
                    }
                    if (self[0] != null && self[0].poolUsage().values().stream().mapToLong(c -> c.assigned()).sum()
                            != committed.assignedIpCount()) {
                        seenStaged.add("pool counts included staged assignments");
                    }
                } catch (LedgerFormatException e) {
                    seenStaged.add(e.toString());
                }
            };
            Ledger ledger = new FailingCommits(kafka, failNextCommit, beforeCommit);
            AllocatorController controller = Allocators.leading(cluster, ledger, "allocator-a");
            self[0] = controller;
            try {
                cluster.pool("blue", "10.99.6.0/27");
                cluster.loadBalancer("shop", "first", Map.of());
                await().atMost(WAIT).until(() -> !cluster.ingressIps("shop", "first").isEmpty());
                failNextCommit.set(true);
                IntStream.range(0, 10).forEach(i -> cluster.loadBalancer("shop", "svc" + i, Map.of()));
                await().atMost(WAIT).until(() -> IntStream.range(0, 10)
                        .allMatch(i -> !cluster.ingressIps("shop", "svc" + i).isEmpty()));
                assertThat(failNextCommit).isFalse(); // the failure did happen
                assertThat(seenStaged).isEmpty();
                // nothing dropped: every Service of the failed batch got its IP
                int assigned = controller.withState(LedgerState::assignedIpCount);
                assertThat(assigned).isEqualTo(11);
            } finally {
                controller.close();
            }
        }
    }

    /** The real ledger, except that a commit fails (after aborting the real transaction) when told to. */
    private record FailingCommits(KafkaLedger ledger, AtomicBoolean failNextCommit, Runnable beforeCommit) implements Ledger {
        FailingCommits(KafkaLedger ledger, AtomicBoolean failNextCommit) {
            this(ledger, failNextCommit, () -> {});
        }

        @Override
        public LedgerWriter openWriter(String actor) throws LedgerWriteException {
            LedgerWriter real = ledger.openWriter(actor);
            return new LedgerWriter() {
                @Override
                public LedgerTransaction begin() throws LedgerWriteException {
                    LedgerTransaction transaction = real.begin();
                    return new LedgerTransaction() {
                        @Override
                        public List<LedgerEntry> stage(List<Event> events) throws LedgerWriteException {
                            return transaction.stage(events);
                        }

                        @Override
                        public List<LedgerEntry> staged() {
                            return transaction.staged();
                        }

                        @Override
                        public List<LedgerEntry> commit() throws LedgerWriteException {
                            beforeCommit.run();
                            if (!transaction.staged().isEmpty() && failNextCommit.compareAndSet(true, false)) {
                                transaction.close();
                                throw new LedgerWriteException("commit failed (injected by the test)", null);
                            }
                            return transaction.commit();
                        }

                        @Override
                        public void close() {
                            transaction.close();
                        }
                    };
                }

                @Override
                public long lastSequence() {
                    return real.lastSequence();
                }

                @Override
                public byte[] lastHash() {
                    return real.lastHash();
                }

                @Override
                public void close() {
                    real.close();
                }
            };
        }

        @Override
        public LedgerFollower follow(LedgerListener listener) {
            return ledger.follow(listener);
        }

        @Override
        public void read(long fromSequence, Consumer<LedgerEntry> handler) throws LedgerFormatException {
            ledger.read(fromSequence, handler);
        }

        @Override
        public LedgerState stateAt(long sequence) throws LedgerFormatException {
            return ledger.stateAt(sequence);
        }

        @Override
        public void close() {}
    }
}
