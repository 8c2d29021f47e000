package io.ledgerlb.ledger.sqlite;

import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.event.Subject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
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
     * transaction, so the index is either absent or complete. Rows that do not decode are left out
     * (the chain walk of {@code verify} names them).
     */
    static void migrate(Connection c, String file) throws SQLException {
        int version;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            version = rs.next() ? rs.getInt(1) : 0;
        }
        if (version >= INDEXED_VERSION) {
            return;
        }
        c.setAutoCommit(false);
        try {
            long indexed = 0;
            try (Statement s = c.createStatement()) {
                s.execute(CREATE);
            }
            try (PreparedStatement q = c.prepareStatement("SELECT sequence, entry FROM journal ORDER BY sequence")) {
                q.setFetchSize(1000);
                List<LedgerEntry> batch = new ArrayList<>();
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        try {
                            batch.add(LedgerEntry.decode(rs.getBytes(2)));
                        } catch (LedgerFormatException e) {
                            log.warn("audit index: journal row {} does not decode, left out of the index", rs.getLong(1));
                        }
                        if (batch.size() == 10_000) {
                            add(c, batch);
                            indexed += batch.size();
                            batch.clear();
                        }
                    }
                }
                add(c, batch);
                indexed += batch.size();
            }
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA user_version = " + INDEXED_VERSION);
            }
            c.commit();
            if (indexed > 0) {
                log.info("audit index: indexed the {} entries already journaled in {}", indexed, file);
            }
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }
}
