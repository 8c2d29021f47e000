package io.ledgerlb.ledger.sqlite;

/** SQLite failed underneath the ledger (disk full, locked, unreadable file). */
public class LedgerDatabaseException extends RuntimeException {
    public LedgerDatabaseException(String message, Throwable cause) {
        super(message, cause);
    }
}
