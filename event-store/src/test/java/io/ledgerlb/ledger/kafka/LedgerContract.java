package io.ledgerlb.ledger.kafka;

import static io.ledgerlb.ledger.testing.SampleEvents.assign;
import static io.ledgerlb.ledger.testing.SampleEvents.assignments;
import static io.ledgerlb.ledger.testing.SampleEvents.pool;
import static io.ledgerlb.ledger.testing.SampleEvents.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.LedgerFencedException;
import io.ledgerlb.ledger.LedgerFollower;
import io.ledgerlb.ledger.LedgerListener;
import io.ledgerlb.ledger.LedgerWriter;
import io.ledgerlb.ledger.SnapshotInfo;
import io.ledgerlb.ledger.event.ChainVerifier;
import io.ledgerlb.ledger.event.HashChain;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * What every Kafka the ledger runs on must give: the embedded broker here, a Testcontainers
 * Kafka where Docker is available. Each test opens ledgers on fresh topics of {@link #config}.
 */
abstract class LedgerContract {

    /** A configuration on fresh topics, without SQLite. */
    abstract LedgerConfig config(String name);

    static List<LedgerEntry> readAll(KafkaLedger ledger) throws LedgerFormatException {
        List<LedgerEntry> entries = new ArrayList<>();
        ledger.read(1, entries::add);
        return entries;
    }

    static LedgerState fold(List<LedgerEntry> entries) {
        LedgerState state = new LedgerState();
        entries.forEach(state::apply);
        return state;
    }

    @Test
    void appendsSealChainAndReadBackFromAnySequence() throws Exception {
        try (KafkaLedger ledger = KafkaLedger.open(config("append"));
             LedgerWriter writer = ledger.openWriter("test")) {
            List<LedgerEntry> first = writer.append(List.of(pool("p", "10.99.0.0/24"), assign("a", "10.99.0.1")));
            List<LedgerEntry> second = writer.append(List.of(assign("b", "10.99.0.2")));

            assertThat(first).extracting(LedgerEntry::sequence).containsExactly(1L, 2L);
            assertThat(second.get(0).prevHash()).isEqualTo(first.get(1).hash());
            assertThat(writer.lastSequence()).isEqualTo(3);
            assertThat(writer.lastHash()).isEqualTo(second.get(0).hash());
            assertThat(first.get(0).event().getActor()).isEqualTo("test");
            assertThat(first.get(0).event().hasTime()).isTrue();

            List<LedgerEntry> all = readAll(ledger);
            assertThat(all).containsExactlyElementsOf(concat(first, second));
            ChainVerifier verifier = new ChainVerifier();
            all.forEach(verifier::accept);
            assertThat(verifier.firstBreak()).isEmpty();

            List<LedgerEntry> fromTwo = new ArrayList<>();
            ledger.read(2, fromTwo::add);
            assertThat(fromTwo).extracting(LedgerEntry::sequence).containsExactly(2L, 3L);
            List<LedgerEntry> beyond = new ArrayList<>();
            ledger.read(4, beyond::add);
            assertThat(beyond).isEmpty();
            assertThat(ledger.lastSequence()).isEqualTo(3);
        }
    }

    @Test
    void aNewWriterContinuesTheChainWhereTheLastStopped() throws Exception {
        LedgerConfig config = config("continue");
        try (KafkaLedger ledger = KafkaLedger.open(config)) {
            try (LedgerWriter writer = ledger.openWriter("first")) {
                writer.append(assignments(0, 10));
            }
            try (LedgerWriter writer = ledger.openWriter("second")) {
                assertThat(writer.lastSequence()).isEqualTo(11);
                List<LedgerEntry> more = writer.append(List.of(release("s1", "10.99.0.2")));
                assertThat(more.get(0).sequence()).isEqualTo(12);
            }
            assertThat(ledger.verifyLog(io.ledgerlb.ledger.Progress.NONE).intact()).isTrue();
            assertThat(ledger.verifyLog(io.ledgerlb.ledger.Progress.NONE).lastSequence()).isEqualTo(12);
        }
    }

    @Test
    void aNewerWriterFencesTheOlderOneWithNothingLostOrDuplicated() throws Exception {
        try (KafkaLedger ledger = KafkaLedger.open(config("fencing"))) {
            LedgerWriter older = ledger.openWriter("older");
            older.append(List.of(pool("p", "10.99.0.0/24"), assign("a", "10.99.0.1")));

            LedgerWriter newer = ledger.openWriter("newer");
            assertThat(newer.lastSequence()).isEqualTo(2);

            assertThatThrownBy(() -> older.append(List.of(assign("x", "10.99.0.9"))))
                    .isInstanceOf(LedgerFencedException.class);
            assertThatThrownBy(() -> older.append(List.of(assign("y", "10.99.0.10"))))
                    .isInstanceOf(LedgerFencedException.class);
            newer.append(List.of(assign("b", "10.99.0.2")));

            List<LedgerEntry> all = readAll(ledger);
            assertThat(all).extracting(LedgerEntry::sequence).containsExactly(1L, 2L, 3L);
            assertThat(all).extracting(e -> e.event().getActor()).containsExactly("older", "older", "newer");
            LedgerState state = fold(all);
            assertThat(state.isAssigned("10.99.0.9")).isFalse();
            assertThat(state.isAssigned("10.99.0.2")).isTrue();
            older.close();
            newer.close();
        }
    }

    @Test
    void aFollowerFoldsTheTailThenFollowsLive() throws Exception {
        try (KafkaLedger ledger = KafkaLedger.open(config("follow"));
             LedgerWriter writer = ledger.openWriter("test")) {
            writer.append(assignments(0, 20));
            List<Long> applied = new CopyOnWriteArrayList<>();
            AtomicBoolean caughtUp = new AtomicBoolean();
            try (LedgerFollower follower = ledger.follow(new LedgerListener() {
                @Override
                public void applied(LedgerEntry entry, LedgerState state) {
                    applied.add(entry.sequence());
                }

                @Override
                public void caughtUp(LedgerState state) {
                    caughtUp.set(state.sequence() == 21);
                }
            })) {
                assertThat(follower.awaitSequence(21, Duration.ofSeconds(30))).isTrue();
                await().atMost(Duration.ofSeconds(30)).untilTrue(caughtUp);

                writer.append(List.of(release("s3", "10.99.0.4"), assign("z", "10.99.0.4")));
                assertThat(follower.awaitSequence(23, Duration.ofSeconds(30))).isTrue();
                String holder = follower.withState(s -> s.holders("10.99.0.4").iterator().next().getService().getName());
                assertThat(holder).isEqualTo("z");
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(applied).hasSize(23).isSorted());
                LedgerState followed = follower.withState(LedgerState::copy);
                assertThat(followed).isEqualTo(fold(readAll(ledger)));
            }
        }
    }

    @Test
    void snapshotPlusTailGivesTheSameStateAsTheWholeLog() throws Exception {
        try (KafkaLedger ledger = KafkaLedger.open(config("snapshot"));
             KafkaLedgerWriter writer = ledger.openWriter("test")) {
            writer.append(assignments(0, 50));
            writer.append(List.of(release("s7", "10.99.0.8"), release("s8", "10.99.0.9")));
            LedgerState atSnapshot = fold(readAll(ledger));
            SnapshotInfo info = writer.takeSnapshot(atSnapshot);
            assertThat(info.sequence()).isEqualTo(53);
            assertThat(info.sha256Hex()).isEqualTo(java.util.HexFormat.of().formatHex(
                    HashChain.sha256(atSnapshot.toSnapshot().toByteArray())));
            writer.append(assignments(50, 10));

            List<LedgerEntry> all = readAll(ledger);
            Event taken = all.get(53).event();
            assertThat(taken.getSnapshotTaken().getCoversSequence()).isEqualTo(53);
            LedgerState fromLog = fold(all);

            // the snapshot topic alone (no SQLite) gives snapshot + tail
            assertThat(ledger.snapshots()).singleElement().satisfies(s -> {
                assertThat(s.usable()).isTrue();
                assertThat(s.location()).startsWith("kafka:");
            });
            KafkaLedger.Restored restored = ledger.restoreLatest(Long.MAX_VALUE);
            assertThat(restored.state().sequence()).isEqualTo(53);
            assertThat(restored.state()).isEqualTo(atSnapshot);
            assertThat(ledger.stateAt(all.size())).isEqualTo(fromLog);
            assertThat(ledger.stateAt(20)).isEqualTo(fold(all.subList(0, 20)));
            assertThat(ledger.stateAt(53).previousIps(new ServiceKey("default", "s7"))).containsExactly("10.99.0.8");

            try (LedgerFollower follower = ledger.follow((entry, state) -> { })) {
                assertThat(follower.awaitSequence(all.size(), Duration.ofSeconds(30))).isTrue();
                LedgerState followed = follower.withState(LedgerState::copy);
                assertThat(followed).isEqualTo(fromLog);
            }
        }
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
