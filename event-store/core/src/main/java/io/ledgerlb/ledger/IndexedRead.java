package io.ledgerlb.ledger;

import io.ledgerlb.ledger.event.LedgerEntry;
import java.util.List;

/**
 * The answer of an audit-index lookup: the entries found through the index, or — when the index
 * cannot be trusted to be complete — none, and why, so the caller scans the log instead.
 *
 * @param used    whether the index answered
 * @param entries the entries found (empty when not used)
 * @param detail  what the index covered, or why it was not used
 */
public record IndexedRead(boolean used, List<LedgerEntry> entries, String detail) {
    public IndexedRead {
        entries = List.copyOf(entries);
    }

    public static IndexedRead found(List<LedgerEntry> entries, String detail) {
        return new IndexedRead(true, entries, detail);
    }

    public static IndexedRead unusable(String why) {
        return new IndexedRead(false, List.of(), why);
    }
}
