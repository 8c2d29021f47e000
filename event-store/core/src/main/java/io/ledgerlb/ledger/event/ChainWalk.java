package io.ledgerlb.ledger.event;

import io.ledgerlb.ledger.ChainReport;
import io.ledgerlb.ledger.event.SignedChain.PassedOver;
import io.ledgerlb.ledger.sign.TrustedKeys;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks stored records (Kafka records or journal rows) through a {@link SignedChain}, from the
 * start of the ledger, and names every record it passes over — never the good entry after one.
 * Counts event types this version does not know. Settle every batch of records; {@link #report}
 * ends the walk.
 */
public final class ChainWalk {
    private static final int SETTLE_EVERY = 1_000;

    private final String source;
    private final SignedChain chain;
    private final List<PassedOver> passedOver = new ArrayList<>();
    private long checked;
    private long unknownTypes;
    private int sinceSettle;

    public ChainWalk(String source, TrustedKeys keys) {
        this.source = source;
        this.chain = new SignedChain(keys);
    }

    /** Takes the next stored record, found at {@code position} (offset or row). */
    public void accept(byte[] stored, long position) {
        try {
            accept(LedgerEntry.decode(stored), position);
        } catch (LedgerFormatException e) {
            acceptUndecodable(e, position);
        }
    }

    /** Takes the next record, already decoded. */
    public void accept(LedgerEntry entry, long position) {
        chain.accept(entry, position);
        if (++sinceSettle >= SETTLE_EVERY) {
            settle();
        }
    }

    public void acceptUndecodable(LedgerFormatException error, long position) {
        chain.acceptUndecodable(error, position);
    }

    /** Verifies what the signed heads read so far vouch for. */
    public void settle() {
        sinceSettle = 0;
        for (SignedChain.Verified verified : chain.settle()) {
            checked++;
            if (verified.entry().unknownType()) {
                unknownTypes++;
            }
        }
        passedOver.addAll(chain.drainPassedOver());
    }

    /** Entries verified so far. */
    public long checked() {
        return checked;
    }

    /** Ends the walk: what no signed head vouches for is passed over too. */
    public ChainReport report() {
        settle();
        passedOver.addAll(chain.endOfRead());
        return new ChainReport(source, checked, chain.tipSequence(), List.copyOf(passedOver), unknownTypes,
                chain.keys().checked(), chain.lastHeadSequence());
    }
}
