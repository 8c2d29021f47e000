package io.ledgerlb.allocator.metrics;

import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.ledger.state.LedgerState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** How many addresses of a pool are in use and how many it has, per family. */
public record PoolCounts(String pool, long assignedV4, long assignedV6, long sizeV4, long sizeV6) {

    /** The number of addresses a pool offers, per family (the pool arithmetic lives in the core). */
    public interface PoolSize {
        long[] v4AndV6(PoolDefined pool);
    }

    public long assigned() {
        return assignedV4 + assignedV6;
    }

    public long size() {
        return saturatedAdd(sizeV4, sizeV6);
    }

    public long availableV4() {
        return Math.max(0, sizeV4 - assignedV4);
    }

    public long availableV6() {
        return Math.max(0, sizeV6 - assignedV6);
    }

    /** Usage of every pool of the state, in pool-name order. One pass over the assignments. */
    public static Map<String, PoolCounts> of(LedgerState state, PoolSize sizes) {
        Map<String, Set<String>> inUse = new HashMap<>();
        for (var service : state.servicesWithAssignments()) {
            for (IpAssigned assigned : state.assignmentsOf(service)) {
                inUse.computeIfAbsent(assigned.getPool(), p -> new HashSet<>()).add(assigned.getIp());
            }
        }
        Map<String, PoolCounts> usage = new java.util.TreeMap<>();
        state.pools().forEach((name, pool) -> {
            Set<String> ips = inUse.getOrDefault(name, Set.of());
            long v6 = ips.stream().filter(ip -> ip.contains(":")).count();
            long[] size = sizes.v4AndV6(pool);
            usage.put(name, new PoolCounts(name, ips.size() - v6, v6, size[0], size[1]));
        });
        return usage;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}
