package io.ledgerlb.ledger;

import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.event.SignedChain;
import io.ledgerlb.ledger.state.LedgerState;

/** Told about each entry a {@link LedgerFollower} folds, after it changed the state. */
public interface LedgerListener {

    /** Called on the follower's thread, after {@code state.apply(entry)}. */
    void applied(LedgerEntry entry, LedgerState state);

    /** The follower caught up with the end of the log as it was when it started (called once). */
    default void caughtUp(LedgerState state) {}

    /**
     * A record the follower passed over and never applies (see {@code SignedChain}): following goes
     * on. The follower has logged it at ERROR; a process with Kubernetes raises an Event.
     */
    default void passedOver(SignedChain.PassedOver record) {}

    /** The follower cannot go on (its state cannot take a verified entry); it stops there. */
    default void broken(LedgerFormatException error) {}
}
