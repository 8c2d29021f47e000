package io.ledgerlb.ledger;

import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.state.LedgerState;
import java.util.function.Consumer;

/**
 * The ledger: one Kafka topic of sealed events (one partition, a total order), a compacted
 * topic of snapshots, and — where the process has one — a SQLite file holding snapshots and a
 * journal of every committed event. Open one with {@code LedgerConfig}; the default is an
 * embedded single-node KRaft broker and a SQLite file in a data folder.
 */
public interface Ledger extends AutoCloseable {

    /** The writer; opening it fences any older writer of the same ledger. */
    LedgerWriter openWriter(String actor) throws LedgerWriteException;

    /** A state folded from the latest usable snapshot plus the tail, followed live. */
    LedgerFollower follow(LedgerListener listener);

    /**
     * Reads committed entries from {@code fromSequence} (inclusive) to the end of the log as it is
     * now, in order. Stops with a {@link LedgerFormatException} at the first record that is not a
     * valid entry.
     */
    void read(long fromSequence, Consumer<LedgerEntry> handler) throws LedgerFormatException;

    /** The state at {@code sequence}: the newest snapshot at or before it, plus replay. */
    LedgerState stateAt(long sequence) throws LedgerFormatException;

    /**
     * The state at {@code sequence}, folded on from {@code near} (a state of this ledger at or
     * before it, left unchanged) when no snapshot lies between the two: a reader stepping through
     * the history replays only the entries between its points.
     */
    default LedgerState stateAt(long sequence, LedgerState near) throws LedgerFormatException {
        return stateAt(sequence);
    }

    @Override
    void close();
}
