package io.ledgerlb.allocator.admin;

import java.util.List;

/** One page of a state's holdings, by Service then IP, and how many holdings the query selects in all. */
public record HoldingsPage(int total, int offset, List<Holding> items) {
    public HoldingsPage {
        items = List.copyOf(items);
    }
}
