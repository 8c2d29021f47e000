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
import io.ledgerlb.ledger.LedgerTransaction;
import io.ledgerlb.ledger.LedgerWriter;
import io.ledgerlb.ledger.SnapshotInfo;
import io.ledgerlb.ledger.TakenSnapshot;
import io.ledgerlb.ledger.event.ChainVerifier;
import io.ledgerlb.ledger.event.HashChain;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.event.SignedChain;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.ledgerlb.ledger.ChainReport;
import io.ledgerlb.ledger.LedgerWriteException;
import io.ledgerlb.ledger.Progress;
import io.ledgerlb.ledger.RecoveryReport;
import io.ledgerlb.ledger.LocalStore;
import io.ledgerlb.ledger.state.StoredSnapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.io.TempDir;
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
    void aTransactionSealsEachStageAtOnceAndShowsNothingUntilItCommits() throws Exception {
        try (KafkaLedger ledger = KafkaLedger.open(config("transaction"));
             LedgerWriter writer = ledger.openWriter("test")) {
            writer.append(List.of(pool("p", "10.99.0.0/24")));
            List<LedgerEntry> committed;
            try (LedgerTransaction transaction = writer.begin()) {
                List<LedgerEntry> first = transaction.stage(List.of(assign("a", "10.99.0.1")));
                List<LedgerEntry> second = transaction.stage(List.of(assign("b", "10.99.0.2"), assign("c", "10.99.0.3")));
                assertThat(second.get(0).prevHash()).isEqualTo(first.get(0).hash());
                assertThat(second).extracting(LedgerEntry::sequence).containsExactly(3L, 4L);
                assertThat(transaction.staged()).containsExactlyElementsOf(concat(first, second));
                assertThat(readAll(ledger)).hasSize(1);
                assertThat(writer.lastSequence()).isEqualTo(1);
                committed = transaction.commit();
                assertThat(committed).containsExactlyElementsOf(concat(first, second));
            }
            assertThat(readAll(ledger)).extracting(LedgerEntry::sequence).containsExactly(1L, 2L, 3L, 4L);
            assertThat(writer.lastHash()).isEqualTo(committed.get(2).hash());
        }
    }

    @Test
    void aTransactionClosedWithoutCommitLeavesNothingAndTheChainContinuesAfterTheLastCommit() throws Exception {
        try (KafkaLedger ledger = KafkaLedger.open(config("aborted"));
             LedgerWriter writer = ledger.openWriter("test")) {
            List<LedgerEntry> kept = writer.append(List.of(pool("p", "10.99.0.0/24")));
            try (LedgerTransaction transaction = writer.begin()) {
                transaction.stage(List.of(assign("a", "10.99.0.1")));
            }
            List<LedgerEntry> next = writer.append(List.of(assign("b", "10.99.0.2")));
            assertThat(next.get(0).sequence()).isEqualTo(2);
            assertThat(next.get(0).prevHash()).isEqualTo(kept.get(0).hash());
            List<LedgerEntry> all = readAll(ledger);
            assertThat(all).extracting(LedgerEntry::sequence).containsExactly(1L, 2L);
            assertThat(fold(all).isAssigned("10.99.0.1")).isFalse();
            assertThat(ledger.verifyLog(Progress.NONE).intact()).isTrue();
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
            assertThat(ledger.verifyLog(Progress.NONE).intact()).isTrue();
            assertThat(ledger.verifyLog(Progress.NONE).lastSequence()).isEqualTo(12);
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
            TakenSnapshot taken = writer.takeSnapshot(atSnapshot);
            SnapshotInfo info = taken.snapshot();
            assertThat(taken.entry().sequence()).isEqualTo(54);
            assertThat(info.sequence()).isEqualTo(53);
            assertThat(info.sha256Hex()).isEqualTo(java.util.HexFormat.of().formatHex(
                    HashChain.sha256(atSnapshot.toSnapshot().toByteArray())));
            writer.append(assignments(50, 10));

            List<LedgerEntry> all = readAll(ledger);
            assertThat(all.get(53)).isEqualTo(taken.entry());
            assertThat(taken.entry().event().getSnapshotTaken().getCoversSequence()).isEqualTo(53);
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

    @Test
    void aStateFoldsOnFromAnEarlierOneAsFromTheWholeLog() throws Exception {
        try (KafkaLedger ledger = KafkaLedger.open(config("fold-on"));
             KafkaLedgerWriter writer = ledger.openWriter("test")) {
            writer.append(assignments(0, 30));
            writer.takeSnapshot(ledger.stateAt(writer.lastSequence())); // covers 30, event 31
            writer.append(assignments(30, 20));
            List<LedgerEntry> all = readAll(ledger);
            LedgerState at10 = ledger.stateAt(10);
            LedgerState untouched = at10.copy();

            assertThat(ledger.stateAt(25, at10)).isEqualTo(fold(all.subList(0, 25))); // folded on from 10
            assertThat(ledger.stateAt(45, at10)).isEqualTo(fold(all.subList(0, 45))); // past a snapshot
            assertThat(ledger.stateAt(all.size(), ledger.stateAt(40))).isEqualTo(fold(all));
            assertThat(ledger.stateAt(5, at10)).isEqualTo(fold(all.subList(0, 5)));   // a point before the near state
            assertThat(at10).isEqualTo(untouched);
        }
    }

    @Test
    void aPointOlderThanTheSnapshotsSqliteKeepsStartsFromTheTopicsSnapshot() throws Exception {
        try (KafkaLedger ledger = KafkaLedger.open(config("topic-snapshots").withSqlite(dir.resolve("ledger.db")));
             KafkaLedgerWriter writer = ledger.openWriter("test")) {
            int snapshots = io.ledgerlb.ledger.sqlite.SnapshotStore.KEPT + 2; // SQLite keeps only the newest
            for (int i = 0; i < snapshots; i++) {
                writer.append(assignments(i * 10, 10));
                writer.takeSnapshot(ledger.stateAt(writer.lastSequence())); // covers 11, 22, 33, ... (a pool first)
            }
            List<LedgerEntry> all = readAll(ledger);
            assertThat(ledger.database().orElseThrow().snapshotSequencesNewestFirst(25)).isEmpty();

            assertThat(ledger.newestSnapshot(25)).isEqualTo(22); // on the topic only
            assertThat(ledger.newestSnapshot(10)).isZero();
            assertThat(ledger.stateAt(25)).isEqualTo(fold(all.subList(0, 25)));
            LedgerState at12 = ledger.stateAt(12);
            assertThat(ledger.stateAt(40, at12)).isEqualTo(fold(all.subList(0, 40))); // restored past at12

            writer.append(assignments(snapshots * 10, 5));
            writer.takeSnapshot(ledger.stateAt(writer.lastSequence())); // read by the topic's index as it grows
            assertThat(ledger.snapshotTopic().sequencesNewestFirst(Long.MAX_VALUE))
                    .startsWith(writer.lastSequence() - 1, 77L).endsWith(11L);
        }
    }

    // ---- SQLite: journal, snapshots, recovery

    @TempDir
    Path dir;

    @Test
    void theJournalMirrorsEveryCommittedEntryByteForByte() throws Exception {
        try (KafkaLedger ledger = KafkaLedger.open(config("journal").withSqlite(dir.resolve("ledger.db")));
             KafkaLedgerWriter writer = ledger.openWriter("test")) {
            writer.append(assignments(0, 30));
            writer.append(List.of(release("s2", "10.99.0.3")));
            List<LedgerEntry> topic = readAll(ledger);
            List<byte[]> journaled = new ArrayList<>();
            ledger.database().orElseThrow().read(1, (seq, bytes) -> journaled.add(bytes));
            assertThat(journaled).hasSize(32);
            for (int i = 0; i < topic.size(); i++) {
                assertThat(journaled.get(i)).isEqualTo(topic.get(i).encode());
            }
            assertThat(ledger.verifyJournal(Progress.NONE).intact()).isTrue();
        }
    }

    @Test
    void aFlippedByteInAJournaledEventIsNamedBySequence() throws Exception {
        Path db = dir.resolve("ledger.db");
        try (KafkaLedger ledger = KafkaLedger.open(config("flip-journal").withSqlite(db));
             KafkaLedgerWriter writer = ledger.openWriter("test")) {
            writer.append(assignments(0, 20)); // sequence 8 assigns 10.99.0.7 to s6
            LocalStore journal = ledger.database().orElseThrow();
            byte[] row = journal.entry(8).orElseThrow();
            byte[] altered = replace(row, "10.99.0.7", "10.99.0.9");
            overwriteJournalRow(db, 8, altered);

            ChainReport report = ledger.verifyJournal(Progress.NONE);
            assertThat(report.intact()).isFalse();
            assertThat(report.firstBreak().orElseThrow().sequence()).isEqualTo(8);
            assertThat(report.firstBreak().get().reason()).contains("altered");
            // the one signed head (sequence 20) cannot vouch for anything past the altered row
            assertThat(report.lastSequence()).isLessThan(8);
            assertThat(report.passedOver()).extracting(SignedChain.PassedOver::sequence).contains(8L, 9L, 20L);
            assertThat(report.passedOver()).filteredOn(p -> p.sequence() == 9).singleElement()
                    .satisfies(p -> assertThat(p.reason()).contains("follows the altered record at sequence 8"));

            overwriteJournalRow(db, 8, java.util.Arrays.copyOf(row, row.length / 2)); // truncated
            assertThat(ledger.verifyJournal(Progress.NONE).firstBreak().orElseThrow().sequence()).isEqualTo(8);
            assertThatThrownBy(() -> ledger.recoverFromJournal(Progress.NONE))
                    .isInstanceOf(LedgerFormatException.class)
                    .hasMessageContaining("sequence 8");
        }
    }

    @Test
    void recoveryFromTheJournalIntoAnEmptyTopicGivesTheIdenticalChain() throws Exception {
        Path db = dir.resolve("ledger.db");
        LedgerConfig original = config("recover-from").withSqlite(db);
        List<LedgerEntry> before;
        try (KafkaLedger ledger = KafkaLedger.open(original);
             KafkaLedgerWriter writer = ledger.openWriter("test")) {
            for (int i = 0; i < 5; i++) {
                writer.append(assignments(i * 100, 100));
            }
            before = readAll(ledger);
        }
        // the topic is lost: the same SQLite file, a new empty topic
        LedgerConfig rebuilt = config("recover-into").withSqlite(db);
        try (KafkaLedger ledger = KafkaLedger.open(rebuilt)) {
            assertThatThrownBy(() -> ledger.openWriter("too-early"))
                    .isInstanceOf(LedgerWriteException.class)
                    .hasMessageContaining("recover");
            List<long[]> progress = new CopyOnWriteArrayList<>();
            RecoveryReport report = ledger.recoverFromJournal((done, total) -> progress.add(new long[] {done, total}));
            assertThat(report.written()).isEqualTo(501);
            assertThat(report.lastSequence()).isEqualTo(501);
            assertThat(report.lastHashHex()).isEqualTo(before.get(500).hashHex());
            assertThat(progress).isNotEmpty().last().satisfies(p -> assertThat(p).containsExactly(501, 501));

            List<LedgerEntry> after = readAll(ledger);
            assertThat(after).hasSize(before.size());
            for (int i = 0; i < before.size(); i++) {
                assertThat(after.get(i).encode()).isEqualTo(before.get(i).encode());
            }
            assertThat(ledger.verifyLog(Progress.NONE).intact()).isTrue();

            // a second recovery has nothing left to do; the writer continues the chain
            assertThat(ledger.recoverFromJournal(Progress.NONE).written()).isZero();
            try (KafkaLedgerWriter writer = ledger.openWriter("after-recovery")) {
                assertThat(writer.lastSequence()).isEqualTo(501);
                assertThat(writer.append(List.of(release("s1", "10.99.0.2"))).get(0).prevHash())
                        .isEqualTo(before.get(500).hash());
            }
            assertThat(ledger.database().orElseThrow().lastSequence()).isEqualTo(502);
        }
    }

    @Test
    void aCorruptSnapshotIsPassedOverForAnOlderOneAndALongerReplay() throws Exception {
        Path db = dir.resolve("ledger.db");
        try (KafkaLedger ledger = KafkaLedger.open(config("corrupt-snapshot").withSqlite(db));
             KafkaLedgerWriter writer = ledger.openWriter("test")) {
            writer.append(assignments(0, 40));
            writer.takeSnapshot(ledger.stateAt(41));                      // covers 41, event 42
            writer.append(assignments(40, 40));
            writer.takeSnapshot(ledger.stateAt(writer.lastSequence()));  // covers 82, event 83
            writer.append(assignments(80, 5));
            LedgerState expected = fold(readAll(ledger));

            assertThat(ledger.snapshots()).extracting(SnapshotInfo::sequence).containsExactly(82L, 82L, 41L, 41L);
            assertThat(ledger.snapshots()).allMatch(SnapshotInfo::usable);

            flipSnapshotByte(db, 82);
            List<SnapshotInfo> infos = ledger.snapshots();
            assertThat(infos).filteredOn(s -> s.location().equals("sqlite") && s.sequence() == 82)
                    .singleElement().satisfies(s -> assertThat(s.problem()).contains("sequence 82").contains("checksum"));
            // the topic's copy of 82 is intact, so it is still used
            assertThat(ledger.stateAt(expected.sequence())).isEqualTo(expected);
            assertThat(ledger.stateAt(85)).isEqualTo(fold(readAll(ledger).subList(0, 85)));
        }
    }

    @Test
    void aSnapshotOfANewerFormatIsRefusedAndTheStateComesFromReplay() throws Exception {
        Path db = dir.resolve("ledger.db");
        try (KafkaLedger ledger = KafkaLedger.open(config("newer-snapshot").withSqlite(db));
             KafkaLedgerWriter writer = ledger.openWriter("test")) {
            writer.append(assignments(0, 20));
            LedgerState state = ledger.stateAt(21);
            byte[] newer = state.toSnapshot().toBuilder().setFormatVersion(LedgerState.SNAPSHOT_FORMAT_VERSION + 1)
                    .build().toByteArray();
            ledger.database().orElseThrow().saveSnapshot(
                    new StoredSnapshot("sqlite", 21, writer.lastOffset(), newer, HashChain.sha256(newer)));

            assertThat(ledger.snapshots()).singleElement()
                    .satisfies(s -> assertThat(s.problem()).contains("newer"));
            assertThat(ledger.stateAt(21)).isEqualTo(fold(readAll(ledger)));
        }
    }

    // ---- bad input in the topic

    @Test
    void aGarbageOrTruncatedRecordIsPassedOverByEveryReaderAndTheNextEntryApplied() throws Exception {
        LedgerConfig config = config("garbage");
        try (KafkaLedger ledger = KafkaLedger.open(config)) {
            try (KafkaLedgerWriter writer = ledger.openWriter("test")) {
                writer.append(assignments(0, 9));
            }
            LedgerEntry valid = readAll(ledger).get(9);
            rawAppend(ledger, config.eventsTopic(), java.util.Arrays.copyOf(valid.encode(), 20));

            assertThat(readAll(ledger)).hasSize(10);
            ChainReport report = ledger.verifyLog(Progress.NONE);
            assertThat(report.firstBreak().orElseThrow().sequence()).isEqualTo(11);
            assertThat(report.firstBreak().get().reason()).contains("not a ledger entry").contains("offset");
            assertThat(report.lastSequence()).isEqualTo(10);

            List<SignedChain.PassedOver> passed = new CopyOnWriteArrayList<>();
            List<LedgerFormatException> broken = new CopyOnWriteArrayList<>();
            try (LedgerFollower follower = ledger.follow(new LedgerListener() {
                @Override
                public void applied(LedgerEntry entry, LedgerState state) { }

                @Override
                public void passedOver(SignedChain.PassedOver record) {
                    passed.add(record);
                }

                @Override
                public void broken(LedgerFormatException error) {
                    broken.add(error);
                }
            })) {
                await().atMost(Duration.ofSeconds(30)).until(() -> !passed.isEmpty());
                assertThat(passed.get(0).sequence()).isEqualTo(11);
                try (KafkaLedgerWriter next = ledger.openWriter("next")) { // continues after 10, not the garbage
                    assertThat(next.append(List.of(assign("after", "10.99.1.1"))).get(0).sequence()).isEqualTo(11);
                }
                assertThat(follower.awaitSequence(11, Duration.ofSeconds(30))).isTrue();
                assertThat(follower.<Boolean>withState(s -> s.isAssigned("10.99.1.1"))).isTrue();
                assertThat(broken).isEmpty();
                assertThat(follower.passedOver()).isEqualTo(1);
            }
            assertThat(ledger.verifyLog(Progress.NONE).passedOver()).singleElement()
                    .satisfies(p -> assertThat(p.reason()).contains("not a ledger entry"));
        }
    }

    @Test
    void aReplayedEntryInTheTopicIsNamedAndPassedOverNotTheNextOne() throws Exception {
        LedgerConfig config = config("duplicate");
        try (KafkaLedger ledger = KafkaLedger.open(config)) {
            try (KafkaLedgerWriter writer = ledger.openWriter("test")) {
                writer.append(assignments(0, 5));
            }
            rawAppend(ledger, config.eventsTopic(), readAll(ledger).get(2).encode()); // sequence 3 again
            try (KafkaLedgerWriter writer = ledger.openWriter("test")) {
                writer.append(List.of(assign("next", "10.99.1.1")));
            }
            ChainReport report = ledger.verifyLog(Progress.NONE);
            assertThat(report.passedOver()).singleElement()
                    .satisfies(p -> assertThat(p.sequence()).isEqualTo(3))
                    .satisfies(p -> assertThat(p.reason()).contains("replayed"));
            assertThat(report.lastSequence()).isEqualTo(7);
            assertThat(ledger.stateAt(7).isAssigned("10.99.1.1")).isTrue();
        }
    }

    @Test
    void anEventOfAnUnknownTypeIsChainedButSkippedWhenFolding() throws Exception {
        try (KafkaLedger ledger = KafkaLedger.open(config("unknown-type"));
             KafkaLedgerWriter writer = ledger.openWriter("test")) {
            Event fromTheFuture = Event.newBuilder()
                    .setUnknownFields(UnknownFieldSet.newBuilder()
                            .addField(99, UnknownFieldSet.Field.newBuilder()
                                    .addLengthDelimited(ByteString.copyFromUtf8("a body this version does not know")).build())
                            .build())
                    .build();
            writer.append(List.of(pool("p", "10.99.0.0/24"), fromTheFuture, assign("a", "10.99.0.1")));

            List<LedgerEntry> all = readAll(ledger);
            assertThat(all.get(1).unknownType()).isTrue();
            assertThat(all.get(1).hashValid()).isTrue();
            ChainReport report = ledger.verifyLog(Progress.NONE);
            assertThat(report.intact()).isTrue();
            assertThat(report.unknownTypes()).isEqualTo(1);
            LedgerState state = ledger.stateAt(3);
            assertThat(state.unknownSkipped()).isEqualTo(1);
            assertThat(state.isAssigned("10.99.0.1")).isTrue();
        }
    }

    static void rawAppend(KafkaLedger ledger, String topic, byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of(
                "bootstrap.servers", ledger.bootstrapServers(),
                "key.serializer", ByteArraySerializer.class, "value.serializer", ByteArraySerializer.class))) {
            raw.send(new ProducerRecord<>(topic, 0, null, value)).get();
        }
    }

    static byte[] replace(byte[] bytes, String from, String to) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        assertThat(text).contains(from);
        return text.replace(from, to).getBytes(StandardCharsets.ISO_8859_1);
    }

    static void overwriteJournalRow(Path db, long sequence, byte[] bytes) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             PreparedStatement update = c.prepareStatement("UPDATE journal SET entry = ? WHERE sequence = ?")) {
            update.setBytes(1, bytes);
            update.setLong(2, sequence);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }

    static void flipSnapshotByte(Path db, long sequence) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            byte[] state;
            try (PreparedStatement q = c.prepareStatement("SELECT state FROM snapshots WHERE sequence = ?")) {
                q.setLong(1, sequence);
                try (ResultSet rs = q.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    state = rs.getBytes(1);
                }
            }
            state[state.length / 2] ^= 0x01;
            try (PreparedStatement u = c.prepareStatement("UPDATE snapshots SET state = ? WHERE sequence = ?")) {
                u.setBytes(1, state);
                u.setLong(2, sequence);
                u.executeUpdate();
            }
        }
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
