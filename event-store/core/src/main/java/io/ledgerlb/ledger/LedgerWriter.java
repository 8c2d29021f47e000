package io.ledgerlb.ledger;

import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.event.LedgerEntry;
import java.util.List;

/**
 * Appends events to the ledger. There is one writer at a time: writers share a fixed
 * transactional id, so a newer writer fences an older one, whose next append fails with
 * {@link LedgerFencedException}.
 */
public interface LedgerWriter extends AutoCloseable {

    /**
     * Seals the events (sequence, prev_hash, hash, continuing the chain) and appends them in one
     * transaction. Returns the sealed entries only once the transaction is committed; on any
     * exception nothing of the batch is visible to {@code read_committed} readers.
     *
     * @param events bodies with time, actor and cause set; sequence and prev_hash are assigned here
     */
    default List<LedgerEntry> append(List<Event> events) throws LedgerWriteException {
        try (LedgerTransaction transaction = begin()) {
            transaction.stage(events);
            return transaction.commit();
        }
    }

    /**
     * Opens a transaction for several decisions (see {@link LedgerTransaction}); one at a time.
     * Settles first a commit whose outcome an earlier timeout left unknown, so that
     * {@link #lastSequence()} and {@link #lastHash()} are the committed tail when this returns.
     */
    LedgerTransaction begin() throws LedgerWriteException;

    /** The sequence number of the last committed entry (0 for an empty ledger). */
    long lastSequence();

    /** The hash of the last committed entry ({@code HashChain.GENESIS} for an empty ledger). */
    byte[] lastHash();

    @Override
    void close();
}
