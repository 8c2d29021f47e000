package io.ledgerlb.ledger.sqlite;

import io.ledgerlb.ledger.event.HashChain;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.event.Subject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subject (IP, Service, pool) → the sequences of the journaled entries that concern it, so that an
 * audit reads only those rows. Written in the same SQLite transaction as the journal rows it
 * indexes ({@link Journal#append}), so it covers exactly the journal; a journal written before the
 * index existed is indexed once when the database opens ({@link #migrate}).
 */
public final class AuditIndex {
    private static final Logger log = LoggerFactory.getLogger(AuditIndex.class);
    /** {@code PRAGMA user_version} from which the journal is indexed. */
    static final int INDEXED_VERSION = 1;
    static final String CREATE = "CREATE TABLE IF NOT EXISTS audit_index (kind INTEGER NOT NULL, "
            + "subject TEXT NOT NULL, sequence INTEGER NOT NULL, PRIMARY KEY (kind, subject, sequence)) WITHOUT ROWID";
    private static final String INSERT = "INSERT OR IGNORE INTO audit_index(kind, subject, sequence) VALUES (?, ?, ?)";

    private final LedgerDatabase db;

    AuditIndex(LedgerDatabase db) {
        this.db = db;
    }

    /** A journal row: its key and the bytes as stored. */
    public record Row(long sequence, byte[] entry) {}

    /**
     * The journal rows of the entries that concern every one of {@code subjects} (at least one),
     * in sequence order, as stored: checking them is the reader's job.
     */
    public List<Row> rowsAbout(Collection<Subject> subjects) {
        if (subjects.isEmpty()) {
            throw new IllegalArgumentException("an index lookup needs a subject");
        }
        String matching = String.join(" INTERSECT ",
                subjects.stream().map(s -> "SELECT sequence FROM audit_index WHERE kind = ? AND subject = ?").toList());
        return db.inTransaction(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT sequence, entry FROM journal WHERE sequence IN ("
                    + matching + ") ORDER BY sequence")) {
                int i = 1;
                for (Subject subject : subjects) {
                    q.setInt(i++, subject.kind().ordinal());
                    q.setString(i++, subject.key());
                }
                List<Row> rows = new ArrayList<>();
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new Row(rs.getLong(1), rs.getBytes(2)));
                    }
                }
                return rows;
            }
        });
    }

    /**
     * One page of {@link #rowsAbout(Collection)}: the rows about every one of {@code subjects} with
     * a sequence in {@code from..to}, newest first, at most {@code limit}. One subject reads the
     * index's key range backwards and stops at the limit, so a page costs the same in a pool of
     * a million entries as in one of ten.
     */
    public List<Row> pageAbout(Collection<Subject> subjects, long from, long to, int limit) {
        if (subjects.isEmpty()) {
            throw new IllegalArgumentException("an index lookup needs a subject");
        }
        String sql = subjects.size() == 1
                ? "SELECT j.sequence, j.entry FROM audit_index a JOIN journal j ON j.sequence = a.sequence"
                        + " WHERE a.kind = ? AND a.subject = ? AND a.sequence BETWEEN ? AND ?"
                        + " ORDER BY a.sequence DESC LIMIT ?"
                : "SELECT sequence, entry FROM journal WHERE sequence IN (" + String.join(" INTERSECT ",
                        subjects.stream().map(s -> "SELECT sequence FROM audit_index WHERE kind = ? AND subject = ?"
                                + " AND sequence BETWEEN ? AND ?").toList()) + ") ORDER BY sequence DESC LIMIT ?";
        return db.inTransaction(c -> {
            try (PreparedStatement q = c.prepareStatement(sql)) {
                int i = 1;
                for (Subject subject : subjects) {
                    q.setInt(i++, subject.kind().ordinal());
                    q.setString(i++, subject.key());
                    if (subjects.size() > 1) {
                        q.setLong(i++, from);
                        q.setLong(i++, to);
                    }
                }
                if (subjects.size() == 1) {
                    q.setLong(i++, from);
                    q.setLong(i++, to);
                }
                q.setInt(i, limit);
                List<Row> rows = new ArrayList<>();
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new Row(rs.getLong(1), rs.getBytes(2)));
                    }
                }
                return rows;
            }
        });
    }

    private record Key(Subject subject, long sequence) {}

    private static final Comparator<Key> KEY_ORDER = Comparator.<Key>comparingInt(k -> k.subject().kind().ordinal())
            .thenComparing(k -> k.subject().key()).thenComparingLong(Key::sequence);

    /**
     * Index rows for entries being journaled, inside the journal's transaction. They are inserted
     * in key order: a large batch then touches each page of the index once, not once per row.
     */
    static void add(Connection c, List<LedgerEntry> entries) throws SQLException {
        List<Key> keys = new ArrayList<>(entries.size() * 3);
        for (LedgerEntry entry : entries) {
            for (Subject subject : Subject.of(entry.event())) {
                keys.add(new Key(subject, entry.sequence()));
            }
        }
        keys.sort(KEY_ORDER);
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            for (Key key : keys) {
                insert.setInt(1, key.subject().kind().ordinal());
                insert.setString(2, key.subject().key());
                insert.setLong(3, key.sequence());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /**
     * Creates the index and, for a database from before it, indexes every journaled entry — in one
     * transaction, so the index is either absent or complete.
     */
    void migrate() {
        db.inTransaction(c -> {
            int version;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                version = rs.next() ? rs.getInt(1) : 0;
            }
            if (version < INDEXED_VERSION) {
                try (Statement s = c.createStatement()) {
                    s.execute(CREATE);
                }
                long indexed = fill(c);
                try (Statement s = c.createStatement()) {
                    s.execute("PRAGMA user_version = " + INDEXED_VERSION);
                }
                if (indexed > 0) {
                    log.info("audit index: indexed the {} entries already journaled in {}", indexed, db.file());
                }
            }
            return null;
        });
    }

    /** Drops every index row and indexes the journal again, in one transaction. */
    public long rebuild() {
        return db.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("DELETE FROM audit_index");
            }
            return fill(c);
        });
    }

    /** Indexes every journaled entry that decodes. */
    private static long fill(Connection c) throws SQLException {
        List<LedgerEntry> batch = new ArrayList<>();
        long indexed = forEachJournaled(c, entry -> {
            batch.add(entry);
            if (batch.size() == 10_000) {
                add(c, batch);
                batch.clear();
            }
        }, sequence -> log.warn("audit index: journal row {} does not decode, left out of the index", sequence));
        add(c, batch);
        return indexed;
    }

    @FunctionalInterface
    private interface EntryHandler {
        void entry(LedgerEntry entry) throws SQLException;
    }

    /**
     * Every journaled entry in sequence order, decoded. The index leaves out rows that do not
     * decode (the journal's chain walk names them): they go to {@code leftOut} by sequence.
     * Returns how many entries the handler got.
     */
    private static long forEachJournaled(Connection c, EntryHandler handler, LongConsumer leftOut) throws SQLException {
        long handled = 0;
        try (PreparedStatement q = c.prepareStatement("SELECT sequence, entry FROM journal ORDER BY sequence")) {
            q.setFetchSize(1000);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    LedgerEntry entry;
                    try {
                        entry = LedgerEntry.decode(rs.getBytes(2));
                    } catch (LedgerFormatException e) {
                        leftOut.accept(rs.getLong(1));
                        continue;
                    }
                    handler.entry(entry);
                    handled++;
                }
            }
        }
        return handled;
    }

    /** What {@link #verify} found: the index's rows, and what is wrong with them, if anything. */
    public record Report(long rows, Optional<String> problem) {
        public boolean intact() {
            return problem.isEmpty();
        }

        @Override
        public String toString() {
            return "audit index: " + rows + " rows, " + problem.orElse("exactly the subjects of the journaled entries");
        }
    }

    /**
     * Checks that the index holds exactly the rows the journal's entries give (so that no entry is
     * hidden from an audit, nor a foreign one added): the number of rows and a multiset hash of
     * (kind, subject, sequence) — SHA-256 of each row, summed per 64-bit lane — computed from the
     * journal and from the table, in one read transaction, must agree.
     */
    public Report verify() {
        return db.inTransaction(c -> {
            RowDigest expected = new RowDigest();
            forEachJournaled(c, entry -> {
                for (Subject subject : Subject.of(entry.event())) {
                    expected.add(subject.kind().ordinal(), subject.key(), entry.sequence());
                }
            }, sequence -> {});
            RowDigest found = new RowDigest();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT kind, subject, sequence FROM audit_index")) {
                while (rs.next()) {
                    found.add(rs.getInt(1), rs.getString(2), rs.getLong(3));
                }
            }
            if (found.count != expected.count) {
                return new Report(found.count, Optional.of("but the journal's entries give " + expected.count
                        + " (rebuild it with `ledgerlb verify --rebuild-index`)"));
            }
            if (!Arrays.equals(found.lanes, expected.lanes)) {
                return new Report(found.count, Optional.of("as many as the journal's entries give, but not the same ones"
                        + " (rebuild it with `ledgerlb verify --rebuild-index`)"));
            }
            return new Report(found.count, Optional.empty());
        });
    }

    /** An order-independent digest of index rows. */
    private static final class RowDigest {
        private final long[] lanes = new long[4];
        private long count;

        void add(int kind, String subject, long sequence) {
            ByteBuffer hash = ByteBuffer.wrap(HashChain.sha256(
                    (kind + "\u0000" + subject + "\u0000" + sequence).getBytes(StandardCharsets.UTF_8)));
            for (int i = 0; i < lanes.length; i++) {
                lanes[i] += hash.getLong();
            }
            count++;
        }
    }
}
