package io.ledgerlb.ledger;

/** A newer writer took over the ledger: this one must stop writing for good. */
public class LedgerFencedException extends LedgerWriteException {
    public LedgerFencedException(String message, Throwable cause) {
        super(message, cause);
    }
}
