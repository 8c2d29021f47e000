package io.ledgerlb.allocator.core;

import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.ServicePort;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpFamily;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where a Service's IPs come from: one pool, one IP per family; {@code adopted} when they are the
 * IPs its status showed on first sight.
 */
record Placement(PoolSpec pool, List<IpAddress> ips, boolean adopted) {
    Placement(PoolSpec pool, List<IpAddress> ips) {
        this(pool, ips, false);
    }


    /**
     * Whether the Service holds IPs from a pool whose serviceAllocation no longer selects it (its
     * labels, its namespace's, or the pool's selectors changed), however it got them: placed
     * automatically, or asked for by IP or pool. Like MetalLB, which checks a held IP again on every
     * pass and clears it once its pool is no longer compatible with the Service, the allocator does
     * not keep such IPs.
     */
    static boolean noLongerSelected(AllocationIndex view, ServiceRequest service, List<IpAssigned> held) {
        if (held.isEmpty()) {
            return false;
        }
        PoolSpec pool = view.pool(held.get(0).getPool());
        return pool != null && !pool.selects(service);
    }

    /**
     * Refuses a pool the Service asked for (by IP or by name) whose serviceAllocation does not
     * select it, as MetalLB does; {@code asked} names the pool and how it was asked for.
     */
    private static void requireSelected(PoolSpec pool, ServiceRequest service, String asked) throws Refusal {
        String why = pool.whyNotSelected(service);
        if (why != null) {
            throw new Refusal("PoolDoesNotSelectService", asked + " does not select this Service: " + why);
        }
    }

    /** Applies the rules of {@link Allocator}'s javadoc, in that order, for one Service. */
    static final class Finder {
        private final AllocationIndex view;
        private final LedgerState state;
        private final ServiceRequest service;
        private final Request request;
        private final List<IpAssigned> held;

        Finder(AllocationIndex view, LedgerState state, ServiceRequest service, Request request, List<IpAssigned> held) {
            this.view = view;
            this.state = state;
            this.service = service;
            this.request = request;
            this.held = held;
        }

        Placement find() throws Refusal {
            Placement kept = keptIfValid();
            if (kept != null) {
                return kept;
            }
            Placement adopted = adoptedIfValid();
            if (adopted != null) {
                return adopted;
            }
            if (!request.ips().isEmpty()) {
                return requested();
            }
            return fromPools(candidatePools());
        }

        private Placement keptIfValid() {
            if (held.isEmpty() || noLongerSelected(view, service, held)) {
                return null;
            }
            PoolSpec pool = view.pool(held.get(0).getPool());
            if (pool == null || (request.pool() != null && !request.pool().equals(pool.name()))) {
                return null;
            }
            List<IpAddress> ips = new ArrayList<>();
            for (IpAssigned holding : held) {
                IpAddress ip = AllocationIndex.parseOrNull(holding.getIp());
                if (ip == null || !holding.getPool().equals(pool.name()) || !pool.usable(ip) || conflict(ip) != null) {
                    return null;
                }
                ips.add(ip);
            }
            ips.sort(null);
            if (!request.ips().isEmpty()) {
                return new HashSet<>(ips).equals(new HashSet<>(request.ips())) ? new Placement(pool, ips) : null;
            }
            Set<IpFamily> families = ips.stream().map(IpAddress::family).collect(Collectors.toSet());
            Set<IpFamily> wanted = Set.copyOf(request.familiesFrom(pool));
            if (families.equals(wanted)) {
                return new Placement(pool, ips);
            }
            return partOfDualStack(ips, wanted) ? new Placement(pool, ips) : null;
        }

        /**
         * One IP of a PreferDualStack Service whose pool offers the other family too: kept (and
         * adopted) as it is, so deciding the Service again never moves it to a pool with both.
         */
        private boolean partOfDualStack(List<IpAddress> ips, Set<IpFamily> wanted) {
            return request.policy() == IpFamilyPolicy.PREFER_DUAL_STACK && ips.size() == 1
                    && wanted.containsAll(ips.stream().map(IpAddress::family).toList());
        }

        /**
         * Adoption on first sight: a Service the ledger knows no IPs of keeps the IPs its status
         * shows (from MetalLB before a migration, say) when they are valid for it exactly as a
         * holding would be: all in one pool that selects it, usable, free or shareable with their
         * holders, of its families, and what it requests (IPs, pool), if anything. Otherwise it is
         * placed by the other rules and {@link #adoptionConflict} says why.
         */
        private Placement adoptedIfValid() {
            if (!held.isEmpty() || service.statusIps().isEmpty() || adoptionConflict() != null) {
                return null;
            }
            List<IpAddress> ips = service.statusIps().stream().map(AllocationIndex::parseOrNull).sorted().toList();
            return new Placement(view.poolContaining(ips.get(0)), ips, true);
        }

        /** Why the IPs of the status cannot be adopted, or null when they can (or there are none). */
        String adoptionConflict() {
            if (!held.isEmpty() || service.statusIps().isEmpty()) {
                return null;
            }
            List<IpAddress> ips = new ArrayList<>();
            for (String text : service.statusIps()) {
                IpAddress ip = AllocationIndex.parseOrNull(text);
                if (ip == null) {
                    return "its status shows '" + text + "', which is not an IP";
                }
                ips.add(ip);
            }
            PoolSpec pool = view.poolContaining(ips.get(0));
            for (IpAddress ip : ips) {
                PoolSpec containing = view.poolContaining(ip);
                if (containing == null || containing != pool) {
                    return "the IPs of its status " + ips + " are not all in one pool";
                }
                if (!pool.usable(ip)) {
                    return ip + " of its status is excluded by pool " + pool.name() + " (avoidBuggyIPs)";
                }
                String conflict = conflict(ip);
                if (conflict != null) {
                    return ip + " of its status is " + conflict;
                }
            }
            if (!pool.selects(service)) {
                return "pool " + pool.name() + " of its status IPs does not select it";
            }
            Set<IpFamily> families = ips.stream().map(IpAddress::family).collect(Collectors.toSet());
            Set<IpFamily> wanted = Set.copyOf(request.familiesFrom(pool));
            boolean familiesFit = families.equals(wanted) && families.size() == ips.size() || partOfDualStack(ips, wanted);
            if (!familiesFit) {
                return "the IPs of its status " + ips + " do not match its families " + request.families();
            }
            if (!request.ips().isEmpty() && !new HashSet<>(ips).equals(new HashSet<>(request.ips()))) {
                return "it requests " + request.ips() + ", not the IPs of its status " + ips;
            }
            if (request.pool() != null && !request.pool().equals(pool.name())) {
                return "it requests pool " + request.pool() + ", not " + pool.name() + " of its status IPs";
            }
            if (!autoAssignable(pool) && request.pool() == null && request.ips().isEmpty()) {
                return "pool " + pool.name() + " of its status IPs does not auto-assign and the Service does not request it";
            }
            return null;
        }

        private boolean autoAssignable(PoolSpec pool) {
            return view.autoAssignOrder().contains(pool);
        }

        private Placement requested() throws Refusal {
            PoolSpec pool = null;
            for (IpAddress ip : request.ips()) {
                PoolSpec containing = view.poolContaining(ip);
                if (containing == null) {
                    throw new Refusal("IpNotInAnyPool", "requested IP " + ip + " is not in any pool");
                }
                if (request.pool() != null && !request.pool().equals(containing.name())) {
                    throw new Refusal("IpNotInRequestedPool", "requested IP " + ip + " is in pool " + containing.name()
                            + ", not in the requested pool " + request.pool());
                }
                if (pool != null && pool != containing) {
                    throw new Refusal("IpsInDifferentPools", "requested IPs " + request.ips()
                            + " are in different pools (" + pool.name() + ", " + containing.name() + ")");
                }
                requireSelected(containing, service, "requested IP " + ip + " is in pool " + containing.name()
                        + ", whose serviceAllocation");
                if (!containing.usable(ip)) {
                    throw new Refusal("BuggyIP", "requested IP " + ip + " ends in .0 or .255, which pool "
                            + containing.name() + " avoids (avoidBuggyIPs)");
                }
                String conflict = conflict(ip);
                if (conflict != null) {
                    throw new Refusal(request.sharingKey().isEmpty() ? "IpInUse" : "SharingConflict",
                            "requested IP " + ip + ": " + conflict);
                }
                pool = containing;
            }
            return new Placement(pool, request.ips().stream().sorted().toList());
        }

        /**
         * The pools to try, in groups: the requested pool alone; or the autoAssign pools whose
         * serviceAllocation selects the Service (by priority), then those without serviceAllocation.
         * As in MetalLB, a PreferDualStack Service takes a pool that gives both families before one
         * that gives only one, within a group.
         */
        private List<List<PoolSpec>> candidatePools() throws Refusal {
            if (request.pool() != null) {
                PoolSpec pool = view.pool(request.pool());
                if (pool == null) {
                    throw new Refusal("UnknownPool", "requested pool " + request.pool() + " does not exist");
                }
                requireSelected(pool, service, "requested pool " + pool.name() + "'s serviceAllocation");
                return List.of(List.of(pool));
            }
            List<PoolSpec> pinned = new ArrayList<>();
            List<PoolSpec> open = new ArrayList<>();
            for (PoolSpec pool : view.autoAssignOrder()) {
                if (pool.selects(service)) {
                    (pool.hasServiceAllocation() ? pinned : open).add(pool);
                }
            }
            if (pinned.isEmpty() && open.isEmpty()) {
                throw new Refusal("NoPoolAvailable", view.pools().isEmpty() ? "no pool is defined"
                        : "no pool auto-assigns to this Service (autoAssign, serviceAllocation)");
            }
            return List.of(pinned, open);
        }

        private Placement fromPools(List<List<PoolSpec>> groups) throws Refusal {
            boolean familyOffered = false;
            List<IpAddress> preferred = preferred();
            boolean preferDual = request.policy() == IpFamilyPolicy.PREFER_DUAL_STACK && request.families().size() == 2;
            for (List<PoolSpec> group : groups) {
                Placement primaryOnly = null;
                Placement secondaryOnly = null;
                for (PoolSpec pool : group) {
                    List<IpFamily> families = request.familiesFrom(pool);
                    if (families.isEmpty()) {
                        continue;
                    }
                    familyOffered = true;
                    List<IpAddress> ips = new ArrayList<>(families.size());
                    for (IpFamily family : families) {
                        IpAddress ip = pick(pool, family, preferred);
                        if (ip != null) {
                            ips.add(ip);
                        }
                    }
                    if (ips.size() == request.families().size()) {
                        ips.sort(null);
                        return new Placement(pool, ips);
                    }
                    if (!preferDual || ips.isEmpty()) {
                        continue;
                    }
                    IpAddress ip = ips.get(0);
                    if (ip.family() == request.families().get(0)) {
                        primaryOnly = primaryOnly == null ? new Placement(pool, List.of(ip)) : primaryOnly;
                    } else {
                        secondaryOnly = secondaryOnly == null ? new Placement(pool, List.of(ip)) : secondaryOnly;
                    }
                }
                if (primaryOnly != null || secondaryOnly != null) {
                    return primaryOnly != null ? primaryOnly : secondaryOnly;
                }
            }
            String names = groups.stream().flatMap(List::stream).map(PoolSpec::name).collect(Collectors.joining(", "));
            if (!familyOffered) {
                throw new Refusal("FamilyUnavailable", "no pool among [" + names + "] offers "
                        + request.families() + " as " + request.policy() + " needs");
            }
            throw new Refusal("NoAvailableIP", "no free " + request.families() + " address in pools [" + names + "]");
        }

        /** IPs this Service holds now or held before it was deleted, most recent first. */
        private List<IpAddress> preferred() {
            List<IpAddress> ips = new ArrayList<>();
            for (IpAssigned holding : held) {
                addParsed(ips, holding.getIp());
            }
            for (String previous : state.previousIps(service.key())) {
                addParsed(ips, previous);
            }
            return ips;
        }

        private static void addParsed(List<IpAddress> ips, String text) {
            IpAddress ip = AllocationIndex.parseOrNull(text);
            if (ip != null) {
                ips.add(ip);
            }
        }

        private IpAddress pick(PoolSpec pool, IpFamily family, List<IpAddress> preferred) {
            for (IpAddress ip : preferred) {
                if (ip.family() == family && pool.usable(ip) && conflict(ip) == null) {
                    return ip;
                }
            }
            if (!request.sharingKey().isEmpty()) {
                List<IpAddress> stale = new ArrayList<>();
                IpAddress found = null;
                for (IpAddress ip : view.sharedUnder(request.sharingKey())) {
                    if (!heldUnder(ip, request.sharingKey())) {
                        stale.add(ip);
                    } else if (ip.family() == family && pool.usable(ip) && conflict(ip) == null) {
                        found = ip;
                        break;
                    }
                }
                if (!stale.isEmpty()) {
                    view.sharedUnder(request.sharingKey()).removeAll(stale);
                }
                if (found != null) {
                    return found;
                }
            }
            return view.lowestFree(pool, family);
        }

        private boolean heldUnder(IpAddress ip, String sharingKey) {
            for (IpAssigned holder : state.holders(ip.toString())) {
                if (holder.getSharingKey().equals(sharingKey)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Why this Service cannot hold {@code ip} beside its other holders, or null when it can. As
         * in MetalLB: the same allow-shared-ip key, no common port, and the same backend key, which
         * is the selector for externalTrafficPolicy Local and empty for Cluster (so a Local Service
         * shares only with Local Services of the same selector, and Cluster ones with each other).
         */
        String conflict(IpAddress ip) {
            var holders = state.holders(ip.toString());
            boolean holdsIt = holders.stream().anyMatch(h -> ServiceKey.of(h.getService()).equals(service.key()));
            for (IpAssigned other : holders) {
                ServiceKey otherKey = ServiceKey.of(other.getService());
                if (otherKey.equals(service.key())) {
                    continue;
                }
                if (!holdsIt && state.isReserved(otherKey)) {
                    // restore mode: no newcomer takes or joins an IP kept for a Service that has not reappeared
                    return "held by " + otherKey + ", for which it is reserved until it reappears (restore mode)";
                }
                String why = sharingConflict(request.sharingKey(), request.ports(), effectiveBackend(service), other);
                if (why != null) {
                    return "held by " + otherKey + ", " + why;
                }
            }
            return null;
        }
    }

    /** Whether another holder of an IP the Service holds may not share it with the Service as it is now. */
    static boolean sharingBroken(LedgerState state, ServiceRequest service, List<IpAssigned> held) {
        String key = ServiceAnnotations.sharingKeyOf(service.annotations());
        List<Port> ports = service.ports().stream().distinct().toList();
        for (IpAssigned holding : held) {
            for (IpAssigned other : state.holders(holding.getIp())) {
                if (!ServiceKey.of(other.getService()).equals(service.key())
                        && sharingConflict(key, ports, effectiveBackend(service), other) != null) {
                    return true;
                }
            }
        }
        return false;
    }

    /** MetalLB's backend key: the selector under externalTrafficPolicy Local, empty under Cluster. */
    static String effectiveBackend(ServiceRequest service) {
        return service.trafficPolicyLocal() ? service.backendKey() : "";
    }

    static String effectiveBackend(IpAssigned holding) {
        return holding.getTrafficPolicyLocal() ? holding.getBackendKey() : "";
    }

    /** Why a Service with these facts cannot share an IP with {@code other}, or null when it can. */
    static String sharingConflict(String sharingKey, List<Port> ports, String backend, IpAssigned other) {
        if (other.getSharingKey().isEmpty()) {
            return "which does not allow sharing (no allow-shared-ip annotation)";
        }
        if (sharingKey.isEmpty()) {
            return "and this Service has no allow-shared-ip annotation to share it";
        }
        if (!sharingKey.equals(other.getSharingKey())) {
            return "which shares it under allow-shared-ip key '" + other.getSharingKey() + "', not '" + sharingKey + "'";
        }
        for (ServicePort port : other.getPortsList()) {
            if (ports.contains(Port.of(port))) {
                return "which already uses port " + Port.of(port) + " on it";
            }
        }
        String otherBackend = effectiveBackend(other);
        if (!backend.equals(otherBackend)) {
            return "whose backend key '" + otherBackend + "' differs from this Service's '" + backend
                    + "' (a Service with externalTrafficPolicy Local shares an IP only with Local Services"
                    + " of the same selector)";
        }
        return null;
    }
}
