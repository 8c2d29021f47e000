package io.ledgerlb.allocator.admin;

import io.ledgerlb.ledger.event.LedgerEntry;
import java.util.List;

/**
 * One page of a timeline: the newest entries a query selects below a sequence, in ledger order.
 *
 * @param entries the entries, oldest first
 * @param more    whether older entries are selected too (ask again with {@code before} = the first one's sequence)
 * @param indexed whether the SQLite audit index answered (else the topic was read)
 */
public record TimelinePage(List<LedgerEntry> entries, boolean more, boolean indexed) {
    public TimelinePage {
        entries = List.copyOf(entries);
    }
}
