package io.ledgerlb.ledger.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.IndexedRead;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.event.Subject;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.kafka.KafkaLedgerWriter;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.ledger.testing.LedgerFixture;
import io.ledgerlb.ledger.testing.SampleEvents;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite audit index on a real ledger (embedded Kafka, real SQLite): same entries as a scan, and when it is not used. */
class AuditIndexTest {
    static final Subject S1 = Subject.service(new ServiceKey("default", "s1"));

    @TempDir
    Path dir;

    /** A pool, IPs changing hands among s0..s4, a second pool, and the first pool removed. */
    static List<Event> history() {
        List<Event> events = new ArrayList<>(List.of(SampleEvents.pool("p", "10.99.0.0/16")));
        for (int round = 0; round < 3; round++) {
            for (int s = 0; s < 5; s++) {
                events.add(SampleEvents.assign("s" + s, "10.99.0." + ((s + round) % 3 + 1)));
                events.add(SampleEvents.release("s" + s, "10.99.0." + ((s + round) % 3 + 1)));
            }
        }
        events.add(SampleEvents.pool("q", "10.98.0.0/24"));
        return events;
    }

    static List<LedgerEntry> scan(KafkaLedger ledger, Set<Subject> subjects) throws LedgerFormatException {
        List<LedgerEntry> found = new ArrayList<>();
        ledger.read(1, e -> {
            if (Subject.of(e.event()).containsAll(subjects)) {
                found.add(e);
            }
        });
        return found;
    }

    @Test
    void theIndexFindsExactlyTheEntriesAScanFinds() throws Exception {
        try (KafkaLedger ledger = LedgerFixture.open("index-same", dir.resolve("ledger.db"));
             KafkaLedgerWriter writer = ledger.openWriter("test")) {
            List<Event> events = history();
            writer.append(events.subList(0, 10));
            writer.append(events.subList(10, events.size()));
            for (Set<Subject> subjects : List.of(Set.of(Subject.ip("10.99.0.2")), Set.of(S1), Set.of(Subject.pool("p")),
                    Set.of(Subject.pool("q")), Set.of(S1, Subject.ip("10.99.0.2")), Set.of(Subject.ip("10.1.2.3")))) {
                IndexedRead read = ledger.readIndexed(subjects);
                assertThat(read.used()).as(read.detail()).isTrue();
                assertThat(read.entries()).as(subjects.toString()).isEqualTo(scan(ledger, subjects));
            }
            assertThat(ledger.readIndexed(Set.of(S1)).entries()).hasSize(6);
            assertThat(ledger.readIndexed(Set.of(Subject.ip("10.1.2.3"))).entries()).isEmpty();
        }
    }

    @Test
    void aPageIsTheNewestEntriesOfTheScanWithinTheRange() throws Exception {
        try (KafkaLedger ledger = LedgerFixture.open("index-page", dir.resolve("ledger.db"));
             KafkaLedgerWriter writer = ledger.openWriter("test")) {
            List<Event> events = history();
            writer.append(events);
            for (Set<Subject> subjects : List.of(Set.of(Subject.pool("p")), Set.of(S1), Set.of(S1, Subject.ip("10.99.0.2")))) {
                List<LedgerEntry> all = scan(ledger, subjects);
                for (long from = 1; from <= events.size(); from += 5) {
                    for (long to = from; to <= events.size() + 1; to += 4) {
                        for (int limit : new int[] {1, 3, 100}) {
                            long lo = from;
                            long hi = to;
                            List<LedgerEntry> expected = new ArrayList<>(all.stream()
                                    .filter(e -> e.sequence() >= lo && e.sequence() <= hi).toList());
                            java.util.Collections.reverse(expected);
                            IndexedRead page = ledger.readIndexed(subjects, from, to, limit);
                            assertThat(page.used()).as(page.detail()).isTrue();
                            assertThat(page.entries()).as("%s %d..%d limit %d", subjects, from, to, limit)
                                    .isEqualTo(expected.subList(0, Math.min(limit, expected.size())));
                        }
                    }
                }
            }
        }
    }

    @Test
    void aJournalFromBeforeTheIndexIsIndexedWhenItOpens() throws Exception {
        Path file = dir.resolve("ledger.db");
        LedgerConfig config = LedgerFixture.config("index-migrate").withSqlite(file);
        try (KafkaLedger ledger = KafkaLedger.open(config); KafkaLedgerWriter writer = ledger.openWriter("test")) {
            writer.append(history());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("DROP TABLE audit_index"); // as a database written before the index existed
            s.execute("PRAGMA user_version = 0");
        }
        try (KafkaLedger ledger = KafkaLedger.open(config)) {
            IndexedRead read = ledger.readIndexed(Set.of(Subject.ip("10.99.0.1")));
            assertThat(read.used()).as(read.detail()).isTrue();
            assertThat(read.entries()).hasSize(10).isEqualTo(scan(ledger, Set.of(Subject.ip("10.99.0.1"))));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(AuditIndex.INDEXED_VERSION);
        }
    }

    @Test
    void notUsedWithoutSqliteOrWhenTheJournalLagsTheTopic() throws Exception {
        LedgerConfig config = LedgerFixture.config("index-lag");
        try (KafkaLedger withJournal = KafkaLedger.open(config.withSqlite(dir.resolve("ledger.db")));
             KafkaLedgerWriter writer = withJournal.openWriter("test")) {
            writer.append(history());
            assertThat(withJournal.readIndexed(Set.of(S1)).used()).isTrue();
        }
        try (KafkaLedger noJournal = KafkaLedger.open(config); KafkaLedgerWriter writer = noJournal.openWriter("test")) {
            IndexedRead read = noJournal.readIndexed(Set.of(S1));
            assertThat(read.used()).isFalse();
            assertThat(read.detail()).isEqualTo("no SQLite file");
            writer.append(List.of(SampleEvents.assign("s1", "10.99.0.9"))); // the journal misses this one
        }
        try (KafkaLedger lagging = KafkaLedger.open(config.withSqlite(dir.resolve("ledger.db")))) {
            IndexedRead read = lagging.readIndexed(Set.of(S1));
            assertThat(read.used()).isFalse();
            assertThat(read.detail()).contains("the journal ends at sequence 32, the topic at 33");
        }
    }

    @Test
    void verifyFindsAnIndexRowRemovedOrChangedAndRebuildRepairsIt() throws Exception {
        Path file = dir.resolve("ledger.db");
        try (KafkaLedger ledger = LedgerFixture.open("index-verify", file);
             KafkaLedgerWriter writer = ledger.openWriter("test")) {
            writer.append(history());
            AuditIndex index = ((LedgerDatabase) ledger.database().orElseThrow()).auditIndex();
            AuditIndex.Report intact = index.verify();
            assertThat(intact.intact()).as(intact.toString()).isTrue();
            assertThat(intact.rows()).isEqualTo(2 + 30 * 3); // two pools, thirty holdings of ip, service, pool

            List<LedgerEntry> before = ledger.readIndexed(Set.of(S1)).entries();
            sql(file, "DELETE FROM audit_index WHERE kind = 1 AND subject = 'default/s1' AND sequence = "
                    + before.get(0).sequence()); // hides an entry from audits by Service
            assertThat(ledger.readIndexed(Set.of(S1)).entries()).hasSize(before.size() - 1);
            AuditIndex.Report removed = index.verify();
            assertThat(removed.intact()).isFalse();
            assertThat(removed.toString()).contains("audit index: 91 rows, but the journal's entries give 92");

            sql(file, "INSERT INTO audit_index VALUES (1, 'default/s1', 32)"); // same count, wrong row
            assertThat(index.verify().problem().orElseThrow()).contains("not the same ones");

            assertThat(index.rebuild()).isEqualTo(32);
            assertThat(index.verify().intact()).isTrue();
            assertThat(ledger.readIndexed(Set.of(S1)).entries()).isEqualTo(before);
        }
    }

    static void sql(Path file, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            assertThat(s.executeUpdate(statement)).isEqualTo(1);
        }
    }

    @Test
    void anAlteredJournalRowIsNamedNotReturned() throws Exception {
        Path file = dir.resolve("ledger.db");
        try (KafkaLedger ledger = LedgerFixture.open("index-altered", file);
             KafkaLedgerWriter writer = ledger.openWriter("test")) {
            writer.append(history());
            byte[] stored = ledger.database().orElseThrow().entry(2).orElseThrow();
            LedgerEntry original = LedgerEntry.decode(stored);
            Event forged = original.event().toBuilder()
                    .setIpAssigned(original.event().getIpAssigned().toBuilder().setPool("p").setSharingKey("forged"))
                    .build();
            // the forged bytes, with the original hash: what editing the row by hand gives
            byte[] tampered = new LedgerEntry(forged, forged.toByteArray(), original.hash()).encode();
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                 PreparedStatement update = c.prepareStatement("UPDATE journal SET entry = ? WHERE sequence = 2")) {
                update.setBytes(1, tampered);
                assertThat(update.executeUpdate()).isEqualTo(1);
            }
            assertThatThrownBy(() -> ledger.readIndexed(Set.of(Subject.ip(original.event().getIpAssigned().getIp()))))
                    .isInstanceOf(LedgerFormatException.class)
                    .hasMessageContaining("journal row 2")
                    .hasMessageContaining("altered")
                    .extracting(e -> ((LedgerFormatException) e).sequence()).isEqualTo(2L);
        }
    }
}
