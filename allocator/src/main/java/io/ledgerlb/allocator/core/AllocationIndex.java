package io.ledgerlb.allocator.core;

import io.ledgerlb.events.v1.ConfigKind;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.IpReleased;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.net.InvalidAddressException;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpFamily;
import io.ledgerlb.net.IpRange;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the allocator derives from a {@link LedgerState} to decide fast: parsed pools in the
 * documented order, a lowest-free cursor per range, and the IPs held under each sharing key.
 * It is a cache of the state at one sequence: rebuilt from the state (in O(assignments)) whenever
 * it is asked about another state or sequence, and kept current in O(1) per event when it is told
 * about each folded entry ({@link #applied}). Either way its answers depend only on the state.
 */
final class AllocationIndex {
    private static final Comparator<PoolSpec> AUTO_ORDER = Comparator
            .comparingInt((PoolSpec p) -> p.hasServiceAllocation() ? 0 : 1)
            .thenComparingInt(PoolSpec::sortPriority)
            .thenComparing(PoolSpec::name);

    private LedgerState state;
    private long sequence = -1;
    private SortedMap<String, PoolSpec> pools = new TreeMap<>();
    private List<PoolSpec> autoAssignOrder = List.of();
    private Map<String, RangeCursor[]> cursors = new HashMap<>();
    private Map<String, NavigableSet<IpAddress>> sharedIps = new HashMap<>();
    private Map<String, PoolUsage> usage;

    /** This index, current for {@code current}. */
    AllocationIndex of(LedgerState current) {
        if (current != state || current.sequence() != sequence) {
            rebuild(current);
        }
        return this;
    }

    /** Follows one folded entry; anything unexpected just makes the next use rebuild. */
    void applied(LedgerEntry entry, LedgerState current) {
        if (current != state || entry.sequence() != sequence + 1) {
            state = null;
            return;
        }
        sequence = entry.sequence();
        usage = null;
        Event event = entry.event();
        switch (event.getBodyCase()) {
            case POOL_DEFINED -> state = null;
            case CONFIG_REMOVED -> {
                if (event.getConfigRemoved().getKind() == ConfigKind.POOL) {
                    state = null;
                }
            }
            case IP_ASSIGNED -> indexSharing(event.getIpAssigned());
            case IP_RELEASED -> freed(event.getIpReleased());
            default -> { }
        }
    }

    private void rebuild(LedgerState current) {
        state = current;
        sequence = current.sequence();
        usage = null;
        pools = new TreeMap<>();
        for (PoolDefined definition : current.pools().values()) {
            try {
                pools.put(definition.getName(), PoolSpec.of(definition));
            } catch (InvalidAddressException e) {
                // written by another tool or version; the allocator never records an invalid pool
            }
        }
        autoAssignOrder = pools.values().stream().filter(PoolSpec::autoAssign).sorted(AUTO_ORDER).toList();
        cursors = new HashMap<>();
        for (PoolSpec pool : pools.values()) {
            RangeCursor[] perRange = new RangeCursor[pool.ranges().size()];
            for (int i = 0; i < perRange.length; i++) {
                perRange[i] = new RangeCursor(pool.ranges().get(i), pool.avoidBuggyIps());
            }
            cursors.put(pool.name(), perRange);
        }
        sharedIps = new HashMap<>();
        for (ServiceKey service : current.servicesWithAssignments()) {
            for (IpAssigned assigned : current.assignmentsOf(service)) {
                indexSharing(assigned);
            }
        }
    }

    private void indexSharing(IpAssigned assigned) {
        if (!assigned.getSharingKey().isEmpty()) {
            IpAddress ip = parseOrNull(assigned.getIp());
            if (ip != null) {
                sharedIps.computeIfAbsent(assigned.getSharingKey(), k -> new TreeSet<>()).add(ip);
            }
        }
    }

    private void freed(IpReleased released) {
        IpAddress ip = parseOrNull(released.getIp());
        if (ip == null || state.isAssigned(released.getIp())) {
            return;
        }
        for (RangeCursor[] perRange : cursors.values()) {
            for (RangeCursor cursor : perRange) {
                if (cursor.range.contains(ip)) {
                    cursor.freed(ip);
                    return;
                }
            }
        }
    }

    static IpAddress parseOrNull(String ip) {
        try {
            return IpAddress.parse(ip);
        } catch (InvalidAddressException e) {
            return null;
        }
    }

    // ---- queries, valid after of(state)

    SortedMap<String, PoolSpec> pools() {
        return Collections.unmodifiableSortedMap(pools);
    }

    PoolSpec pool(String name) {
        return pools.get(name);
    }

    PoolSpec poolContaining(IpAddress ip) {
        for (PoolSpec pool : pools.values()) {
            if (pool.contains(ip)) {
                return pool;
            }
        }
        return null;
    }

    /** The autoAssign pools in the documented order (serviceAllocation first), before per-Service filtering. */
    List<PoolSpec> autoAssignOrder() {
        return autoAssignOrder;
    }

    /** The lowest address of this family in the pool that nobody holds, or null when there is none. */
    IpAddress lowestFree(PoolSpec pool, IpFamily family) {
        for (RangeCursor cursor : cursors.get(pool.name())) {
            if (cursor.range.family() == family) {
                IpAddress ip = cursor.lowestFree(state);
                if (ip != null) {
                    return ip;
                }
            }
        }
        return null;
    }

    /** The IPs held under this sharing key, lowest first (may include IPs no longer held so). */
    NavigableSet<IpAddress> sharedUnder(String sharingKey) {
        NavigableSet<IpAddress> ips = sharedIps.get(sharingKey);
        return ips == null ? Collections.emptyNavigableSet() : ips;
    }

    /** Assigned and available counts of a pool, computed once per state sequence. */
    PoolUsage usage(String poolName) {
        if (usage == null) {
            usage = countUsage();
        }
        return usage.getOrDefault(poolName, new PoolUsage(0, 0, 0, 0));
    }

    private Map<String, PoolUsage> countUsage() {
        Map<String, long[]> assigned = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (ServiceKey service : state.servicesWithAssignments()) {
            for (IpAssigned holding : state.assignmentsOf(service)) {
                if (seen.add(holding.getIp())) {
                    long[] counts = assigned.computeIfAbsent(holding.getPool(), p -> new long[2]);
                    counts[holding.getIp().indexOf(':') >= 0 ? 1 : 0]++;
                }
            }
        }
        Map<String, PoolUsage> result = new HashMap<>();
        for (PoolSpec pool : pools.values()) {
            long[] counts = assigned.getOrDefault(pool.name(), new long[2]);
            long[] usable = new long[2];
            for (RangeCursor cursor : cursors.get(pool.name())) {
                int f = cursor.range.family() == IpFamily.V4 ? 0 : 1;
                usable[f] = saturatedAdd(usable[f], cursor.usableCount());
            }
            result.put(pool.name(), new PoolUsage(counts[0], counts[1],
                    Math.max(0, usable[0] - counts[0]), usable[1] == Long.MAX_VALUE ? usable[1] : Math.max(0, usable[1] - counts[1])));
        }
        return result;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /**
     * The lowest free address of one range: every free address below {@code next} is in
     * {@code holes}; addresses from {@code next} on are checked against the state as the cursor
     * moves. Assignments only fill addresses, so the cursor stays valid; a release below it adds a hole.
     */
    private static final class RangeCursor {
        final IpRange range;
        final boolean avoidBuggy;
        final long size;
        long next;
        final TreeSet<Long> holes = new TreeSet<>();

        RangeCursor(IpRange range, boolean avoidBuggy) {
            this.range = range;
            this.avoidBuggy = avoidBuggy;
            this.size = range.size();
        }

        IpAddress lowestFree(LedgerState state) {
            while (!holes.isEmpty()) {
                IpAddress ip = range.get(holes.first());
                if (usable(ip) && !state.isAssigned(ip.toString())) {
                    return ip;
                }
                holes.pollFirst();
            }
            for (; next < size; next++) {
                IpAddress ip = range.get(next);
                if (usable(ip) && !state.isAssigned(ip.toString())) {
                    return ip;
                }
            }
            return null;
        }

        void freed(IpAddress ip) {
            long offset = range.offsetOf(ip);
            if (offset < next && usable(ip)) {
                holes.add(offset);
            }
        }

        private boolean usable(IpAddress ip) {
            return !(avoidBuggy && ip.isBuggy());
        }

        long usableCount() {
            if (!avoidBuggy || range.family() != IpFamily.V4) {
                return size;
            }
            long first = range.first().lo();
            long last = range.last().lo();
            return size - endingIn(0, first, last) - endingIn(255, first, last);
        }

        /** How many x in [first, last] have x mod 256 == octet. */
        private static long endingIn(int octet, long first, long last) {
            return Math.floorDiv(last - octet, 256) - Math.floorDiv(first - 1 - octet, 256);
        }
    }

    /** For callers that need a stable list of a pool's holdings (pool changes). */
    List<IpAssigned> holdingsIn(PoolSpec pool, String poolName) {
        List<IpAssigned> holdings = new ArrayList<>();
        for (ServiceKey service : state.servicesWithAssignments()) {
            for (IpAssigned holding : state.assignmentsOf(service)) {
                IpAddress ip = parseOrNull(holding.getIp());
                if (holding.getPool().equals(poolName) || (pool != null && ip != null && pool.contains(ip))) {
                    holdings.add(holding);
                }
            }
        }
        holdings.sort(Comparator.comparing((IpAssigned h) -> parseOrNull(h.getIp()),
                        Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(h -> ServiceKey.of(h.getService())));
        return holdings;
    }
}
