package io.ledgerlb.allocator.metrics;

import io.ledgerlb.ledger.state.LedgerState;
import java.util.Map;
import java.util.TreeMap;

/** How many addresses of a pool are in use and how many are still available, per family. */
public record PoolCounts(String pool, long assignedV4, long assignedV6, long availableV4, long availableV6) {

    /** Counts one pool of a state (the pool arithmetic lives in the allocation core). */
    public interface Source {
        PoolCounts count(LedgerState state, String pool);
    }

    public long assigned() {
        return assignedV4 + assignedV6;
    }

    /** Usable addresses: assigned plus available, saturated for huge IPv6 pools. */
    public long size() {
        long sum = assigned();
        for (long available : new long[] {availableV4, availableV6}) {
            sum = sum + available < 0 ? Long.MAX_VALUE : sum + available;
        }
        return sum;
    }

    /** Every pool of the state, by name. */
    public static Map<String, PoolCounts> of(LedgerState state, Source source) {
        Map<String, PoolCounts> counts = new TreeMap<>();
        state.pools().keySet().forEach(pool -> counts.put(pool, source.count(state, pool)));
        return counts;
    }
}
