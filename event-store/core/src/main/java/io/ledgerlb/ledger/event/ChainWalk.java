package io.ledgerlb.ledger.event;

import io.ledgerlb.ledger.ChainReport;

/**
 * Walks stored entries (Kafka records or journal rows) through a {@link ChainVerifier}: decodes
 * each, names where an undecodable one sits, and counts event types this version does not know.
 */
public final class ChainWalk {
    private final String source;
    private final ChainVerifier verifier = new ChainVerifier();
    private long unknownTypes;

    public ChainWalk(String source) {
        this.source = source;
    }

    /** Checks the next stored entry; returns false once the chain is broken. */
    public boolean accept(byte[] stored, String where) {
        try {
            return accept(LedgerEntry.decode(stored));
        } catch (LedgerFormatException e) {
            return acceptUndecodable(e, where);
        }
    }

    /** Checks the next entry, already decoded; returns false once the chain is broken. */
    public boolean accept(LedgerEntry entry) {
        if (entry.unknownType()) {
            unknownTypes++;
        }
        return verifier.accept(entry);
    }

    /** Records an entry that did not decode, found at {@code where}; returns false. */
    public boolean acceptUndecodable(LedgerFormatException error, String where) {
        return verifier.acceptUndecodable(new LedgerFormatException(error.sequence(), where + ": " + error.getMessage(), error));
    }

    public long checked() {
        return verifier.checked();
    }

    public ChainReport report() {
        return new ChainReport(source, verifier.checked(), verifier.lastSequence(), verifier.firstBreak(), unknownTypes);
    }
}
