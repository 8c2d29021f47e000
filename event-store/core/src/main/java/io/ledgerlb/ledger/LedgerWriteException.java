package io.ledgerlb.ledger;

/** An append that did not commit: nothing of its batch is in the ledger. */
public class LedgerWriteException extends Exception {
    public LedgerWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
