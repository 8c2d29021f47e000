package io.ledgerlb.ledger;

import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.event.LedgerEntry;
import java.util.List;

/**
 * One transaction of the ledger holding several decisions. Each {@link #stage} seals its events
 * right away (continuing the chain after the events staged before), so the caller can fold them
 * and decide the next step on the result — as Kafka's KRaft controller replays its records
 * before they commit. Nothing is visible to readers before {@link #commit}; closing an
 * uncommitted transaction aborts it, and the writer then continues after its last committed
 * entry (a caller that folded staged entries must fold its state again from the ledger).
 */
public interface LedgerTransaction extends AutoCloseable {

    /** Seals the events after the ones staged so far and sends them; returns the sealed entries. */
    List<LedgerEntry> stage(List<Event> events) throws LedgerWriteException;

    /** Every entry staged so far, in order. */
    List<LedgerEntry> staged();

    /**
     * Commits everything staged; returns the entries once {@code read_committed} readers see
     * them. On an exception nothing staged is committed, except as {@link LedgerWriter} says for
     * a commit that timed out.
     */
    List<LedgerEntry> commit() throws LedgerWriteException;

    /** Aborts the transaction unless it was committed. */
    @Override
    void close();
}
