package io.ledgerlb.allocator.core;

import io.ledgerlb.allocator.core.ip.IpAddress;
import io.ledgerlb.allocator.core.ip.IpFamily;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.ServicePort;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Where a Service's IPs come from: one pool, one IP per family. */
record Placement(PoolSpec pool, List<IpAddress> ips) {

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
            Set<IpFamily> families = ips.stream().map(IpAddress::family).collect(Collectors.toSet());
            boolean wanted = request.ips().isEmpty()
                    ? families.equals(Set.copyOf(request.familiesFrom(pool)))
                    : new HashSet<>(ips).equals(new HashSet<>(request.ips()));
            return wanted ? new Placement(pool, ips) : null;
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

        private List<PoolSpec> candidatePools() throws Refusal {
            if (request.pool() != null) {
                PoolSpec pool = view.pool(request.pool());
                if (pool == null) {
                    throw new Refusal("UnknownPool", "requested pool " + request.pool() + " does not exist");
                }
                requireSelected(pool, service, "requested pool " + pool.name() + "'s serviceAllocation");
                return List.of(pool);
            }
            List<PoolSpec> pools = new ArrayList<>();
            for (PoolSpec pool : view.autoAssignOrder()) {
                if (pool.selects(service)) {
                    pools.add(pool);
                }
            }
            if (pools.isEmpty()) {
                throw new Refusal("NoPoolAvailable", view.pools().isEmpty() ? "no pool is defined"
                        : "no pool auto-assigns to this Service (autoAssign, serviceAllocation)");
            }
            return pools;
        }

        private Placement fromPools(List<PoolSpec> pools) throws Refusal {
            boolean familyOffered = false;
            List<IpAddress> preferred = preferred();
            for (PoolSpec pool : pools) {
                List<IpFamily> families = request.familiesFrom(pool);
                if (families.isEmpty()) {
                    continue;
                }
                familyOffered = true;
                List<IpAddress> ips = new ArrayList<>(families.size());
                for (IpFamily family : families) {
                    IpAddress ip = pick(pool, family, preferred);
                    if (ip == null) {
                        break;
                    }
                    ips.add(ip);
                }
                if (ips.size() == families.size()) {
                    ips.sort(null);
                    return new Placement(pool, ips);
                }
            }
            String names = pools.stream().map(PoolSpec::name).collect(Collectors.joining(", "));
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

        /** Why this Service cannot hold {@code ip} beside its other holders, or null when it can. */
        private String conflict(IpAddress ip) {
            for (IpAssigned other : state.holders(ip.toString())) {
                ServiceKey otherKey = ServiceKey.of(other.getService());
                if (otherKey.equals(service.key())) {
                    continue;
                }
                if (request.sharingKey().isEmpty() || !request.sharingKey().equals(other.getSharingKey())) {
                    return "held by " + otherKey + (other.getSharingKey().isEmpty() ? ", which does not share it"
                            : " under another allow-shared-ip key");
                }
                for (ServicePort port : other.getPortsList()) {
                    if (request.ports().contains(Port.of(port))) {
                        return "port " + Port.of(port) + " is already used on it by " + otherKey;
                    }
                }
                if ((service.trafficPolicyLocal() || other.getTrafficPolicyLocal())
                        && !service.backendKey().equals(other.getBackendKey())) {
                    return "shared with " + otherKey + ", which selects other pods, and externalTrafficPolicy Local"
                            + " needs the same backends on a shared IP";
                }
            }
            return null;
        }
    }
}
