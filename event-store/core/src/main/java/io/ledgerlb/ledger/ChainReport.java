package io.ledgerlb.ledger;

import io.ledgerlb.ledger.event.ChainVerifier.ChainBreak;
import java.util.Optional;

/**
 * The result of walking a chain (the Kafka topic or the SQLite journal).
 *
 * @param source         what was walked, e.g. "kafka:ledgerlb.events" or "journal:/data/ledger.db"
 * @param checked        entries that verified
 * @param lastSequence   the last good sequence number
 * @param firstBreak     the first bad entry, if any
 * @param unknownTypes   entries of event types this version does not know (verified, not folded)
 */
public record ChainReport(String source, long checked, long lastSequence, Optional<ChainBreak> firstBreak,
                          long unknownTypes) {
    public boolean intact() {
        return firstBreak.isEmpty();
    }

    @Override
    public String toString() {
        return source + ": " + checked + " entries checked, "
                + firstBreak.map(ChainBreak::toString).orElse("chain intact up to sequence " + lastSequence);
    }
}
