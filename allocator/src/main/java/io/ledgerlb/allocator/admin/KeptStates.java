package io.ledgerlb.allocator.admin;

import io.ledgerlb.ledger.state.LedgerState;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * States a reader keeps in memory, by sequence, so that a point near one folds on from it: the
 * points asked for lately, the snapshots restored for them, and checkpoints every
 * {@link #CHECKPOINT_EVERY} entries taken on the way. Bounded by what they hold: the sum of their
 * held IPs stays under {@link #BUDGET}, the least recently used going first. A copy of a state
 * shares its protobuf values with the original, so each kept state costs about its maps: ~8 MB
 * at 50,000 Services (the budget keeps ~20 of them: one snapshot's stretch of checkpoints plus
 * the points about it), ~0.8 MB at 5,000 (the budget keeps ~200).
 *
 * <p>Every state kept was restored from a verified snapshot or folded from verified entries; the
 * states are shared with callers, who read them and never change them.
 */
final class KeptStates {
    static final long CHECKPOINT_EVERY = 1_000;
    /**
     * How many checkpoints one fold keeps, just before its point. A copy costs about as much as
     * folding a thousand entries or two at 50,000 Services, so a fold does not keep a checkpoint
     * at every round sequence it passes, only near where the reader is looking.
     */
    static final long CHECKPOINTS_PER_FOLD = 3;
    static final long BUDGET = 1_000_000;

    private final NavigableMap<Long, LedgerState> bySequence = new TreeMap<>();
    private final Map<Long, LedgerState> leastRecentFirst = new LinkedHashMap<>(16, 0.75f, true);
    private long held;
    private final long budget;

    KeptStates() {
        this(BUDGET);
    }

    KeptStates(long budget) {
        this.budget = budget;
    }

    /** The kept state nearest at or before {@code sequence}. */
    synchronized Optional<LedgerState> atOrBefore(long sequence) {
        Map.Entry<Long, LedgerState> found = bySequence.floorEntry(sequence);
        if (found == null) {
            return Optional.empty();
        }
        leastRecentFirst.get(found.getKey()); // counts as a use
        return Optional.of(found.getValue());
    }

    synchronized void keep(LedgerState state) {
        LedgerState old = bySequence.put(state.sequence(), state);
        if (old != null) {
            held -= weight(old);
        }
        leastRecentFirst.put(state.sequence(), state);
        held += weight(state);
        var oldest = leastRecentFirst.entrySet().iterator();
        while (held > budget && leastRecentFirst.size() > 1) {
            LedgerState dropped = oldest.next().getValue();
            oldest.remove();
            bySequence.remove(dropped.sequence());
            held -= weight(dropped);
        }
    }

    synchronized void clear() {
        bySequence.clear();
        leastRecentFirst.clear();
        held = 0;
    }

    synchronized int size() {
        return bySequence.size();
    }

    private static long weight(LedgerState state) {
        return state.assignedIpCount() + 1L;
    }
}
