package io.ledgerlb.allocator.admin;

import java.util.List;

/** A pool at a point of the ledger: its ranges as written and how many of its addresses are held. */
public record PoolView(String name, List<String> addresses, boolean autoAssign, long assigned, long total) {
    public PoolView {
        addresses = List.copyOf(addresses);
    }
}
