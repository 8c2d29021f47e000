package io.ledgerlb.allocator.core;

import com.google.protobuf.ByteString;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.LedgerListener;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.state.LedgerState;
import java.util.ArrayList;
import java.util.List;

/**
 * A test-side ledger: seals a decision's events onto the chain the way the ledger writer does
 * (sequence, prev_hash, hash), folds them into the state and tells the listeners, and keeps every
 * entry so the state can be replayed from scratch.
 */
public final class InMemoryChain {
    private final LedgerState state = new LedgerState();
    private final List<LedgerEntry> entries = new ArrayList<>();
    private final List<LedgerListener> listeners = new ArrayList<>();

    public InMemoryChain(LedgerListener... listeners) {
        this.listeners.addAll(List.of(listeners));
    }

    public LedgerState state() {
        return state;
    }

    public List<LedgerEntry> entries() {
        return List.copyOf(entries);
    }

    /** Commits the decision's events and returns the decision, for chaining in tests. */
    public Decision commit(Decision decision) {
        append(decision.events());
        return decision;
    }

    public List<LedgerEntry> append(List<Event> events) {
        List<LedgerEntry> sealed = new ArrayList<>();
        for (Event event : events) {
            LedgerEntry entry = LedgerEntry.seal(event.toBuilder()
                    .setSequence(state.sequence() + 1)
                    .setPrevHash(ByteString.copyFrom(state.lastHash()))
                    .build());
            state.apply(entry);
            entries.add(entry);
            sealed.add(entry);
            listeners.forEach(l -> l.applied(entry, state));
        }
        return sealed;
    }

    /** A fresh state folded from every entry so far. */
    public LedgerState replay() {
        LedgerState replayed = new LedgerState();
        entries.forEach(replayed::apply);
        return replayed;
    }
}
