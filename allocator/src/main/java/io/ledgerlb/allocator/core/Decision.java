package io.ledgerlb.allocator.core;

import io.ledgerlb.events.v1.Event;
import java.util.List;

/**
 * What one step decided: the events to append to the ledger in one transaction (complete bodies
 * with time, actor and cause; the writer assigns sequence and prev_hash), and the outcome the
 * adapter shows on the Kubernetes object. Nothing changes until the events are committed and folded.
 */
public record Decision(List<Event> events, Outcome outcome) {
    public Decision {
        events = List.copyOf(events);
    }

    public boolean changesNothing() {
        return events.isEmpty();
    }
}
