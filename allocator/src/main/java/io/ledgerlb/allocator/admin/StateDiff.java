package io.ledgerlb.allocator.admin;

import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.state.ServiceKey;
import java.util.List;

/**
 * What changed between two points of the ledger: Services that got IPs, lost them, or hold
 * others, and the refusals recorded in between.
 *
 * @param refused      the refusals in {@code (from, to]}, newest first, at most the limit asked for
 * @param refusedTotal how many refusals lie in {@code (from, to]}
 */
public record StateDiff(long from, long to, List<Change> changes, List<LedgerEntry> refused, long refusedTotal) {
    public StateDiff {
        changes = List.copyOf(changes);
        refused = List.copyOf(refused);
    }

    public enum Kind { ASSIGNED, RELEASED, MOVED }

    /** One Service's holdings before and after. */
    public record Change(Kind kind, ServiceKey service, List<String> before, List<String> after, String pool) {
        public Change {
            before = List.copyOf(before);
            after = List.copyOf(after);
        }
    }
}
