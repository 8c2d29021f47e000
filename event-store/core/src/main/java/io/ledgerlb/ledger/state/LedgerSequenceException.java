package io.ledgerlb.ledger.state;

/** An entry that does not continue the chain the state has folded so far. */
public class LedgerSequenceException extends RuntimeException {
    public LedgerSequenceException(String message) {
        super(message);
    }
}
