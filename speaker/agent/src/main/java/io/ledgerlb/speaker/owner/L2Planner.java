package io.ledgerlb.speaker.owner;

import io.ledgerlb.ledger.state.LabelSelectors;
import io.ledgerlb.ledger.state.ServiceSelection;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.L2AdvertisementDefined;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Who announces what in Layer 2, computed from the ledger state and a {@link ClusterView}. Pure:
 * every speaker that has folded the same ledger and sees the same nodes and members computes the
 * same plan, so exactly one of them answers for each IP.
 *
 * <p>An IP is announced when its pool is selected by at least one L2Advertisement
 * ({@code ipAddressPools} by name, {@code ipAddressPoolSelectors} by the pool's labels, or neither:
 * every pool). The candidates are the live speakers' nodes that may announce and that one of those
 * advertisements selects ({@code nodeSelectors}); for Services with
 * {@code externalTrafficPolicy: Local} only nodes with a serving endpoint of every such Service
 * holding the IP. {@link OwnerChooser} picks one. The owner announces on the union of the
 * {@code interfaces} of the advertisements that select it (any advertisement without interfaces:
 * all of them).
 */
public final class L2Planner {
    private L2Planner() {}

    /** The plan, and the IPs that cannot be announced with the reason (for a log line). */
    public record Plan(Map<String, L2Assignment> byIp, Map<String, String> skipped) {
        public List<L2Assignment> ownedBy(String node) {
            return byIp.values().stream().filter(a -> a.node().equals(node)).toList();
        }
    }

    public static Plan plan(LedgerState state, ClusterView view) {
        Map<String, L2Assignment> byIp = new TreeMap<>();
        Map<String, String> skipped = new TreeMap<>();
        PoolNodes pools = new PoolNodes(state, view);
        for (ServiceKey service : state.servicesWithAssignments()) {
            for (IpAssigned assigned : state.assignmentsOf(service)) {
                String ip = assigned.getIp();
                if (!byIp.containsKey(ip) && !skipped.containsKey(ip)) {
                    Decision d = planIp(state, view, ip, pools);
                    d.assignment().ifPresent(a -> byIp.put(ip, a));
                    d.skipped().ifPresent(reason -> skipped.put(ip, reason));
                }
            }
        }
        return new Plan(byIp, skipped);
    }

    private static boolean anyServiceSelectors(LedgerState state) {
        return state.l2Advertisements().values().stream().anyMatch(a -> a.getServiceSelectorsCount() > 0);
    }

    /** The advertisements whose serviceSelectors select one of the IP's Services. */
    static List<L2AdvertisementDefined> selecting(Collection<L2AdvertisementDefined> adverts,
                                                  Collection<IpAssigned> holders, ClusterView view) {
        return adverts.stream()
                .filter(a -> ServiceSelection.announces(a.getServiceSelectorsList(), holders, view::labels)).toList();
    }

    /** What Layer 2 does with one IP: announce it from one node, skip it (with why), or neither. */
    public record Decision(Optional<L2Assignment> assignment, Optional<String> skipped) {
        static final Decision NONE = new Decision(Optional.empty(), Optional.empty());
    }

    /**
     * The nodes that may announce each pool's IPs, worked out once per pool per plan: an
     * incremental plan asks for the few pools its IPs are in. When an advertisement has
     * serviceSelectors, which advertisements apply depends on the IP's Services too, so the
     * nodes are worked out for each IP instead.
     */
    public static final class PoolNodes {
        private final LedgerState state;
        private final ClusterView view;
        private final boolean perIp;
        private final Map<String, Map<String, Set<String>>> byPool = new HashMap<>();

        public PoolNodes(LedgerState state, ClusterView view) {
            this.state = state;
            this.view = view;
            this.perIp = anyServiceSelectors(state);
        }

        Map<String, Set<String>> of(PoolDefined pool, Collection<IpAssigned> holders) {
            if (perIp) {
                return announcingNodes(pool, selecting(state.l2Advertisements().values(), holders, view), view);
            }
            return byPool.computeIfAbsent(pool.getName(), p -> announcingNodes(pool, state.l2Advertisements().values(), view));
        }
    }

    /**
     * One IP's plan. With Kubernetes, an IP none of whose Services has a serving endpoint anywhere
     * is not announced (MetalLB withdraws it; the IP stays allocated), and a {@code Local} Service
     * narrows the candidates to the nodes serving it.
     */
    public static Decision planIp(LedgerState state, ClusterView view, String ip, PoolNodes pools) {
        Collection<IpAssigned> holders = state.holders(ip);
        if (holders.isEmpty()) {
            return Decision.NONE;
        }
        String poolName = holders.iterator().next().getPool();
        PoolDefined pool = state.pools().get(poolName);
        if (pool == null) {
            return new Decision(Optional.empty(), Optional.of("pool '" + poolName + "' is not defined in the ledger"));
        }
        Map<String, Set<String>> interfacesByNode = pools.of(pool, holders);
        if (interfacesByNode.isEmpty()) {
            return Decision.NONE; // not an L2 pool here, or no node may announce it
        }
        Set<String> candidates = new TreeSet<>(interfacesByNode.keySet());
        boolean anyServing = !view.withKubernetes();
        for (IpAssigned holder : holders) {
            Set<String> serving = view.serving(ServiceKey.of(holder.getService()));
            anyServing |= !serving.isEmpty();
            if (holder.getTrafficPolicyLocal()) {
                candidates.retainAll(serving);
            }
        }
        if (!anyServing) {
            return Decision.NONE;
        }
        List<ServiceKey> services = new ArrayList<>();
        holders.forEach(h -> services.add(ServiceKey.of(h.getService())));
        services.sort(null);
        return OwnerChooser.owner(ip, candidates)
                .map(owner -> new Decision(Optional.of(new L2Assignment(ip, owner, interfacesByNode.get(owner), services)),
                        Optional.<String>empty()))
                .orElse(Decision.NONE);
    }

    /** The nodes that may announce a pool's IPs, each with its interfaces (empty set: all). */
    static Map<String, Set<String>> announcingNodes(PoolDefined pool, Collection<L2AdvertisementDefined> adverts,
                                                    ClusterView view) {
        Map<String, Set<String>> result = new HashMap<>();
        Set<String> allInterfaces = new HashSet<>();
        for (L2AdvertisementDefined advert : adverts) {
            if (!selectsPool(advert, pool)) {
                continue;
            }
            for (String name : view.liveSpeakers()) {
                view.eligible(name)
                        .filter(node -> LabelSelectors.anyMatches(advert.getNodeSelectorsList(), node.labels()))
                        .ifPresent(node -> {
                            Set<String> interfaces = result.computeIfAbsent(name, n -> new TreeSet<>());
                            if (advert.getInterfacesList().isEmpty()) {
                                allInterfaces.add(name);
                            }
                            interfaces.addAll(advert.getInterfacesList());
                        });
            }
        }
        allInterfaces.forEach(name -> result.put(name, Set.of()));
        return result;
    }

    public static boolean selectsPool(L2AdvertisementDefined advert, PoolDefined pool) {
        if (advert.getIpAddressPoolsCount() == 0 && advert.getIpAddressPoolSelectorsCount() == 0) {
            return true;
        }
        return advert.getIpAddressPoolsList().contains(pool.getName())
                || advert.getIpAddressPoolSelectorsList().stream()
                        .anyMatch(s -> LabelSelectors.matches(s, pool.getLabelsMap()));
    }
}
