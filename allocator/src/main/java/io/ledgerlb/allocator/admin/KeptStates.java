package io.ledgerlb.allocator.admin;

import io.ledgerlb.ledger.state.LedgerState;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * States a reader keeps in memory, by sequence, so that a point near one folds on from it: the
 * points asked for lately, and checkpoints every {@link #CHECKPOINT_EVERY} entries that a fold
 * of a small state keeps on its way. Bounded by what they hold: the sum of their held IPs stays
 * under {@link #BUDGET}, the least recently used going first. A state costs about its maps (its
 * protobuf values are shared with the state it was copied from): ~8 MB at 50,000 Services, so
 * the budget keeps ~20 of those, ~200 at 5,000 Services.
 *
 * <p>Checkpoints are kept only for states of up to {@link #CHECKPOINT_HOLDINGS} held IPs: a copy
 * of a state of 50,000 took about as long as folding the several thousand entries between a
 * snapshot and a point (JFR, ExplorerBench), more than a checkpoint every 1,000 entries saves.
 * There, a point is the newest snapshot before it folded on (under 10,000 entries at the
 * allocator's default), or a kept point folded on.
 *
 * <p>Every state kept was restored from a verified snapshot or folded from verified entries; the
 * states are shared with callers, who read them and never change them.
 */
final class KeptStates {
    static final long CHECKPOINT_EVERY = 1_000;
    /** How many checkpoints one fold keeps, just before its point: where the reader is looking. */
    static final long CHECKPOINTS_PER_FOLD = 3;
    static final int CHECKPOINT_HOLDINGS = 10_000;
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

    /** Whether a checkpoint of this state costs less to copy than the folding it saves. */
    static boolean worthCopying(LedgerState state) {
        return state.assignedIpCount() <= CHECKPOINT_HOLDINGS;
    }

    private static long weight(LedgerState state) {
        return state.assignedIpCount() + 1L;
    }
}
