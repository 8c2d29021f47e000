package io.ledgerlb.ledger.sqlite;

import io.ledgerlb.ledger.ChainReport;
import io.ledgerlb.ledger.Progress;
import io.ledgerlb.ledger.event.ChainWalk;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.sign.TrustedKeys;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

/**
 * Every committed entry, as the exact bytes of its Kafka record, keyed by sequence number. A lost
 * Kafka topic is rebuilt from here with its hash chain intact.
 */
public final class Journal {
    private final LedgerDatabase db;

    Journal(LedgerDatabase db) {
        this.db = db;
    }

    /**
     * Records committed entries, and in the same transaction their {@link AuditIndex} rows; entries
     * already journaled are left as they are.
     */
    public void append(List<LedgerEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        db.inTransaction(c -> {
            try (PreparedStatement insert = c.prepareStatement("INSERT OR IGNORE INTO journal(sequence, entry) VALUES (?, ?)")) {
                for (LedgerEntry entry : entries) {
                    insert.setLong(1, entry.sequence());
                    insert.setBytes(2, entry.encode());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            AuditIndex.add(c, entries);
            return null;
        });
    }

    /** The last journaled sequence, 0 when empty. */
    public long lastSequence() {
        return db.inTransaction(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT max(sequence) FROM journal")) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    public long count() {
        return db.inTransaction(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM journal")) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    /** The stored bytes of one entry. */
    public Optional<byte[]> entry(long sequence) {
        return db.inTransaction(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT entry FROM journal WHERE sequence = ?")) {
                q.setLong(1, sequence);
                try (ResultSet rs = q.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
                }
            }
        });
    }

    /**
     * Streams rows from {@code fromSequence} in order, as stored (undecoded, so that a corrupt row
     * is the reader's to name). Stops early when the handler returns false.
     */
    public void read(long fromSequence, RowHandler handler) {
        db.inTransaction(c -> {
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT sequence, entry FROM journal WHERE sequence >= ? ORDER BY sequence")) {
                q.setLong(1, fromSequence);
                q.setFetchSize(1000);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        if (!handler.row(rs.getLong(1), rs.getBytes(2))) {
                            break;
                        }
                    }
                }
            }
            return null;
        });
    }

    @FunctionalInterface
    public interface RowHandler {
        /** Returns false to stop reading. */
        boolean row(long sequence, byte[] entry);
    }

    /** Walks the journal's chain from the start, checking its signed heads against {@code keys}; names every bad row. */
    public ChainReport verify(TrustedKeys keys, Progress progress) {
        long total = count();
        ChainWalk walk = new ChainWalk("journal:" + db.file(), keys);
        long[] rows = {0};
        read(1, (sequence, entry) -> {
            walk.accept(entry, -1); // a row is keyed by its sequence: no other position to name
            if (++rows[0] % 10_000 == 0) {
                progress.update(rows[0], total);
            }
            return true;
        });
        progress.update(rows[0], total);
        return walk.report();
    }
}
