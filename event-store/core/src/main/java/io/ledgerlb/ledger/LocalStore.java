package io.ledgerlb.ledger;

import io.ledgerlb.ledger.sign.TrustedKeys;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.Subject;
import io.ledgerlb.ledger.state.StoredSnapshot;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The ledger's copy on the local disk, beside Kafka: a journal of every committed entry (the exact
 * bytes, so a lost topic can be rebuilt with its chain intact), an index of the entries by
 * {@link Subject}, and snapshots of the state. The one implementation is SQLite, in the
 * {@code ledger-sqlite} module ({@code io.ledgerlb.ledger.sqlite.LedgerDatabase}); the Kafka ledger
 * sees only this interface, so a reader of the ledger (the speaker) carries no SQLite.
 */
public interface LocalStore extends AutoCloseable {

    /** Where the store lives, for messages. */
    Path file();

    // ---- the journal

    /** Records committed entries (and their index rows) in one transaction; journaled ones are left as they are. */
    void append(List<LedgerEntry> entries);

    /** The last journaled sequence, 0 when empty. */
    long lastSequence();

    /** The stored bytes of one entry. */
    Optional<byte[]> entry(long sequence);

    /** Streams rows from {@code fromSequence} in order, undecoded; stops when the handler returns false. */
    void read(long fromSequence, RowHandler handler);

    /** Walks the journal's chain from the start, believing the signed heads of {@code keys}; names every bad row. */
    ChainReport verify(TrustedKeys keys, Progress progress);

    /** The journaled entries about every one of {@code subjects}, through the index, in sequence order. */
    List<Row> rowsAbout(Collection<Subject> subjects);

    /**
     * One page of {@link #rowsAbout}: the rows about every one of {@code subjects} with a sequence
     * in {@code from..to}, newest first, at most {@code limit}.
     */
    List<Row> pageAbout(Collection<Subject> subjects, long from, long to, int limit);

    // ---- snapshots

    void saveSnapshot(StoredSnapshot snapshot);

    /** The sequences of stored snapshots at or before {@code maxSequence}, newest first. */
    List<Long> snapshotSequencesNewestFirst(long maxSequence);

    Optional<StoredSnapshot> loadSnapshot(long sequence);

    @Override
    void close();

    /** One journal row as stored. */
    record Row(long sequence, byte[] entry) {}

    @FunctionalInterface
    interface RowHandler {
        /** Returns false to stop reading. */
        boolean row(long sequence, byte[] entry);
    }

    /**
     * Opens the store at a file; found with {@link java.util.ServiceLoader} by the Kafka ledger when
     * its configuration names a SQLite file, so that only processes that keep one ship SQLite.
     */
    interface Opener {
        LocalStore open(Path file);
    }
}
