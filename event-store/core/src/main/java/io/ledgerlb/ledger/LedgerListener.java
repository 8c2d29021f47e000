package io.ledgerlb.ledger;

import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.state.LedgerState;

/** Told about each entry a {@link LedgerFollower} folds, after it changed the state. */
public interface LedgerListener {

    /** Called on the follower's thread, after {@code state.apply(entry)}. */
    void applied(LedgerEntry entry, LedgerState state);

    /** The follower caught up with the end of the log as it was when it started (called once). */
    default void caughtUp(LedgerState state) {}

    /** A record that is not a valid continuation of the chain; the follower stops at it. */
    default void broken(LedgerFormatException error) {}
}
