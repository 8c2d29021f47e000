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
        LedgerEntry entry;
        try {
            entry = LedgerEntry.decode(stored);
        } catch (LedgerFormatException e) {
            return verifier.acceptUndecodable(new LedgerFormatException(e.sequence(), where + ": " + e.getMessage(), e));
        }
        if (entry.unknownType()) {
            unknownTypes++;
        }
        return verifier.accept(entry);
    }

    public long checked() {
        return verifier.checked();
    }

    public ChainReport report() {
        return new ChainReport(source, verifier.checked(), verifier.lastSequence(), verifier.firstBreak(), unknownTypes);
    }
}
