package io.ledgerlb.ledger;

import io.ledgerlb.ledger.state.LedgerState;

/**
 * Keeps a {@link LedgerState} up to date: starts from the latest usable snapshot, folds the
 * tail and then follows the log live ({@code read_committed}).
 */
public interface LedgerFollower extends AutoCloseable {

    /** The state as folded so far. Only read it on the listener's thread or via {@link #withState}. */
    LedgerState state();

    /** Runs a read of the state under the follower's lock, consistent with the entries folded so far. */
    <T> T withState(java.util.function.Function<LedgerState, T> read);

    /** Blocks until the state has folded at least {@code sequence}, or the timeout passes. */
    boolean awaitSequence(long sequence, java.time.Duration timeout) throws InterruptedException;

    /** Records passed over so far (never applied): forged, replayed, reordered, unvouched for, undecodable. */
    default long passedOver() {
        return 0;
    }

    @Override
    void close();
}
