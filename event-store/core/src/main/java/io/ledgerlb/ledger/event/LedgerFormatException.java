package io.ledgerlb.ledger.event;

/** Bytes that are not a well-formed ledger entry or snapshot; names the sequence where known. */
public class LedgerFormatException extends Exception {
    private final long sequence;

    public LedgerFormatException(long sequence, String message, Throwable cause) {
        super(sequence > 0 ? "sequence " + sequence + ": " + message : message, cause);
        this.sequence = sequence;
    }

    public LedgerFormatException(long sequence, String message) {
        this(sequence, message, null);
    }

    /** The sequence number concerned, or 0 where it could not be read. */
    public long sequence() {
        return sequence;
    }
}
