package io.ledgerlb.ledger.sqlite;

import io.ledgerlb.ledger.state.StoredSnapshot;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Snapshots of the state in SQLite: state bytes, the sequence and Kafka offset covered, a SHA-256. */
public final class SnapshotStore {
    public static final String LOCATION = "sqlite";
    /** Snapshots kept; older ones are removed when a new one is saved. */
    public static final int KEPT = 5;

    private final LedgerDatabase db;

    SnapshotStore(LedgerDatabase db) {
        this.db = db;
    }

    public void save(StoredSnapshot snapshot) {
        db.inTransaction(c -> {
            try (PreparedStatement insert = c.prepareStatement("INSERT OR REPLACE INTO snapshots"
                    + "(sequence, kafka_offset, state, sha256, taken_at) VALUES (?, ?, ?, ?, ?)")) {
                insert.setLong(1, snapshot.sequence());
                insert.setLong(2, snapshot.kafkaOffset());
                insert.setBytes(3, snapshot.state());
                insert.setBytes(4, snapshot.sha256());
                insert.setString(5, Instant.now().toString());
                insert.executeUpdate();
            }
            try (PreparedStatement prune = c.prepareStatement("DELETE FROM snapshots WHERE sequence NOT IN "
                    + "(SELECT sequence FROM snapshots ORDER BY sequence DESC LIMIT ?)")) {
                prune.setInt(1, KEPT);
                prune.executeUpdate();
            }
            return null;
        });
    }

    /** The sequences of stored snapshots at or before {@code maxSequence}, newest first. */
    public List<Long> sequencesNewestFirst(long maxSequence) {
        return db.inTransaction(c -> {
            List<Long> sequences = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT sequence FROM snapshots WHERE sequence <= ? ORDER BY sequence DESC")) {
                q.setLong(1, maxSequence);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        sequences.add(rs.getLong(1));
                    }
                }
            }
            return sequences;
        });
    }

    public Optional<StoredSnapshot> load(long sequence) {
        return db.inTransaction(c -> {
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT kafka_offset, state, sha256 FROM snapshots WHERE sequence = ?")) {
                q.setLong(1, sequence);
                try (ResultSet rs = q.executeQuery()) {
                    return rs.next()
                            ? Optional.of(new StoredSnapshot(LOCATION, sequence, rs.getLong(1), rs.getBytes(2), rs.getBytes(3)))
                            : Optional.empty();
                }
            }
        });
    }
}
