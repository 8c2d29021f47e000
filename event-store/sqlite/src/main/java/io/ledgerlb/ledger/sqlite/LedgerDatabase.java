package io.ledgerlb.ledger.sqlite;

import io.ledgerlb.ledger.ChainReport;
import io.ledgerlb.ledger.LocalStore;
import io.ledgerlb.ledger.Progress;
import io.ledgerlb.ledger.sign.TrustedKeys;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.Subject;
import io.ledgerlb.ledger.state.StoredSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The SQLite file beside the ledger: a {@link Journal} of every committed entry, its
 * {@link AuditIndex}, and a {@link SnapshotStore}. One connection, used under this object's lock.
 * The Kafka ledger uses it as its {@link LocalStore}.
 */
public final class LedgerDatabase implements LocalStore {
    private final Path file;
    private final Connection connection;
    private final Journal journal;
    private final SnapshotStore snapshots;
    private final AuditIndex auditIndex;

    private LedgerDatabase(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
        this.journal = new Journal(this);
        this.snapshots = new SnapshotStore(this);
        this.auditIndex = new AuditIndex(this);
    }

    public static LedgerDatabase open(Path file) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = connection.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA cache_size=-32768"); // KiB: the audit index's inner pages stay cached
                s.execute("CREATE TABLE IF NOT EXISTS journal ("
                        + "sequence INTEGER PRIMARY KEY, entry BLOB NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS snapshots ("
                        + "sequence INTEGER PRIMARY KEY, kafka_offset INTEGER NOT NULL, state BLOB NOT NULL, "
                        + "sha256 BLOB NOT NULL, taken_at TEXT NOT NULL)");
            }
            LedgerDatabase db = new LedgerDatabase(file, connection);
            db.auditIndex().migrate();
            return db;
        } catch (SQLException e) {
            throw new LedgerDatabaseException("cannot open ledger database " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Journal journal() {
        return journal;
    }

    public SnapshotStore snapshots() {
        return snapshots;
    }

    public AuditIndex auditIndex() {
        return auditIndex;
    }

    @Override
    public Path file() {
        return file;
    }

    // ---- LocalStore, for the Kafka ledger

    @Override
    public void append(List<LedgerEntry> entries) {
        journal.append(entries);
    }

    @Override
    public long lastSequence() {
        return journal.lastSequence();
    }

    @Override
    public Optional<byte[]> entry(long sequence) {
        return journal.entry(sequence);
    }

    @Override
    public void read(long fromSequence, RowHandler handler) {
        journal.read(fromSequence, handler::row);
    }

    @Override
    public ChainReport verify(TrustedKeys keys, Progress progress) {
        return journal.verify(keys, progress);
    }

    @Override
    public List<Row> rowsAbout(Collection<Subject> subjects) {
        return auditIndex.rowsAbout(subjects).stream().map(r -> new Row(r.sequence(), r.entry())).toList();
    }

    @Override
    public List<Row> pageAbout(Collection<Subject> subjects, long from, long to, int limit) {
        return auditIndex.pageAbout(subjects, from, to, limit).stream().map(r -> new Row(r.sequence(), r.entry())).toList();
    }

    @Override
    public void saveSnapshot(StoredSnapshot snapshot) {
        snapshots.save(snapshot);
    }

    @Override
    public List<Long> snapshotSequencesNewestFirst(long maxSequence) {
        return snapshots.sequencesNewestFirst(maxSequence);
    }

    @Override
    public Optional<StoredSnapshot> loadSnapshot(long sequence) {
        return snapshots.load(sequence);
    }

    /** Found by the Kafka ledger with {@link java.util.ServiceLoader} (META-INF/services). */
    public static final class Opener implements LocalStore.Opener {
        @Override
        public LocalStore open(Path file) {
            return LedgerDatabase.open(file);
        }
    }

    Connection connection() {
        return connection;
    }

    /** Runs {@code work} in one SQLite transaction under this database's lock. */
    synchronized <T> T inTransaction(SqlWork<T> work) {
        try {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new LedgerDatabaseException("ledger database " + file + ": " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new LedgerDatabaseException("closing " + file, e);
        }
    }
}
