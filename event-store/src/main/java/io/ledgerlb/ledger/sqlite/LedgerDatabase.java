package io.ledgerlb.ledger.sqlite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The SQLite file beside the ledger: a {@link Journal} of every committed entry, its
 * {@link AuditIndex}, and a {@link SnapshotStore}. One connection, used under this object's lock.
 */
public final class LedgerDatabase implements AutoCloseable {
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

    public Path file() {
        return file;
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
