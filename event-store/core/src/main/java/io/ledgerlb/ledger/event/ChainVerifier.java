package io.ledgerlb.ledger.event;

import java.util.Arrays;
import java.util.Optional;

/**
 * Walks a chain of entries in order and names the first one that breaks it: a gap in the
 * sequence numbers, a prev_hash that is not the previous hash, or a hash that does not match
 * the entry's bytes. Feed it entries one by one; it keeps only the last hash.
 */
public final class ChainVerifier {
    private long lastSequence;
    private byte[] lastHash;
    private long checked;
    private ChainBreak firstBreak;

    /** Starts at the beginning of the ledger. */
    public ChainVerifier() {
        this(0, HashChain.GENESIS);
    }

    /** Starts after a known entry, e.g. the one a snapshot covers. */
    public ChainVerifier(long afterSequence, byte[] afterHash) {
        this.lastSequence = afterSequence;
        this.lastHash = afterHash.clone();
    }

    /** Returns false once the chain is broken; later entries are not checked. */
    public boolean accept(LedgerEntry entry) {
        if (firstBreak != null) {
            return false;
        }
        long expected = lastSequence + 1;
        if (entry.sequence() != expected) {
            return fail(expected, "expected sequence " + expected + " but found " + entry.sequence());
        }
        if (!Arrays.equals(entry.prevHash(), lastHash)) {
            return fail(entry.sequence(), "prev_hash does not match the hash of sequence " + lastSequence);
        }
        if (!entry.hashValid()) {
            return fail(entry.sequence(), "hash does not match the event's bytes (altered)");
        }
        lastSequence = entry.sequence();
        lastHash = entry.hash();
        checked++;
        return true;
    }

    /** Records an entry that could not even be decoded, at the position where it was found. */
    public boolean acceptUndecodable(LedgerFormatException error) {
        if (firstBreak != null) {
            return false;
        }
        return fail(lastSequence + 1, "undecodable entry: " + error.getMessage());
    }

    private boolean fail(long sequence, String reason) {
        firstBreak = new ChainBreak(sequence, reason);
        return false;
    }

    public Optional<ChainBreak> firstBreak() {
        return Optional.ofNullable(firstBreak);
    }

    public long lastSequence() {
        return lastSequence;
    }

    public byte[] lastHash() {
        return lastHash.clone();
    }

    public long checked() {
        return checked;
    }

    /** Where and why the chain broke. */
    public record ChainBreak(long sequence, String reason) {
        @Override
        public String toString() {
            return "chain broken at sequence " + sequence + ": " + reason;
        }
    }
}
