package io.ledgerlb.speaker.bgp.announce;

import io.ledgerlb.ledger.state.LabelSelectors;
import io.ledgerlb.ledger.state.ServiceSelection;
import io.ledgerlb.events.v1.BfdProfileDefined;
import io.ledgerlb.events.v1.BgpAdvertisementDefined;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.net.Community;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.net.LargeCommunity;
import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.owner.NodeInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.TreeSet;

/**
 * What this node announces to each BGP peer, from the ledger state. Pure: no I/O, same inputs,
 * same answer. Every eligible node announces (ECMP at the router), unlike Layer 2.
 *
 * <p>Rules (MetalLB's):
 * <ul>
 * <li>peers: the BGPPeers whose {@code nodeSelectors} select this node (none: every node);</li>
 * <li>an assigned IP is announced by every BGPAdvertisement that selects its pool
 *     ({@code ipAddressPools} by name or {@code ipAddressPoolSelectors} by the pool's labels;
 *     neither: every pool) and this node ({@code nodeSelectors}), to its {@code peers} (none: all
 *     of this node's peers), as the prefix of {@code aggregationLength} / {@code aggregationLengthV6}
 *     (default 32 / 128) with its {@code localPref}, {@code communities} and
 *     {@code largeCommunities};</li>
 * <li>endpoints: every holder of the IP with {@code externalTrafficPolicy: Local} must have a
 *     serving endpoint on this node, and at least one holder a serving endpoint anywhere
 *     ({@code Cluster}); otherwise the IP is withdrawn;</li>
 * <li>a node that may not announce ({@link NodeInfo#mayAnnounce()}) announces nothing;</li>
 * <li>two advertisements giving one prefix to one peer merge: communities are united, the highest
 *     local preference wins.</li>
 * </ul>
 */
public final class BgpAnnouncer {

    private BgpAnnouncer() {
    }

    /**
     * One advertisement and the Services it was made for: the holders of the IPs it covers that
     * were announced through it (several when an IP is shared or a prefix aggregates IPs).
     */
    public record Planned(Advertisement advertisement, Set<ServiceKey> services) {
        public Planned {
            services = Set.copyOf(services);
        }

        public Planned merge(Planned other) {
            Set<ServiceKey> both = new HashSet<>(services);
            both.addAll(other.services);
            return new Planned(BgpAnnouncer.merge(advertisement, other.advertisement), both);
        }
    }

    /**
     * @param byPeer   for each BGPPeer name that applies to this node, its advertisements (sorted
     *                 by prefix); peers with nothing to announce are present with an empty list
     * @param problems configuration this node could not use (bad community values, unknown pools),
     *                 one readable line each, for logs and status
     */
    public record Plan(Map<String, List<Planned>> byPeer, List<String> problems) {
        public Plan {
            byPeer = Map.copyOf(byPeer);
            problems = List.copyOf(problems);
        }

        public List<Advertisement> forPeer(String peer) {
            return byPeer.getOrDefault(peer, List.of()).stream().map(Planned::advertisement).toList();
        }

        /**
         * For each Service, the peers among {@code sessionPeers} that are told about one of its
         * IPs: a Service counts for a peer only where an advertisement planned for that peer was
         * made for it, not where a prefix merely covers its IP.
         */
        public Map<ServiceKey, Set<String>> peersByService(Set<String> sessionPeers) {
            Map<ServiceKey, Set<String>> out = new HashMap<>();
            byPeer.forEach((peer, planned) -> {
                if (sessionPeers.contains(peer)) {
                    planned.forEach(p -> p.services().forEach(s -> out.computeIfAbsent(s, k -> new TreeSet<>()).add(peer)));
                }
            });
            return out;
        }
    }

    /**
     * @param servingNodes for each Service, the nodes where it has a serving endpoint (absent or
     *                     empty: none anywhere)
     */
    public static Plan plan(LedgerState state, NodeInfo node, Map<ServiceKey, Set<String>> servingNodes) {
        return plan(state, node, servingNodes, service -> Map.of());
    }

    /**
     * @param servingNodes  for each Service, the nodes where it has a serving endpoint (absent or
     *                      empty: none anywhere)
     * @param serviceLabels each Service's labels, for the advertisements' serviceSelectors
     */
    public static Plan plan(LedgerState state, NodeInfo node, Map<ServiceKey, Set<String>> servingNodes,
                            Function<ServiceKey, Map<String, String>> serviceLabels) {
        List<String> problems = new ArrayList<>();
        List<String> peers = peersFor(state, node).stream().map(BgpPeerDefined::getName).toList();
        Map<String, Map<IpPrefix, Planned>> byPeer = new TreeMap<>();
        peers.forEach(p -> byPeer.put(p, new HashMap<>()));
        Set<String> seen = new HashSet<>();
        for (ServiceKey service : state.servicesWithAssignments()) {
            for (IpAssigned assigned : state.assignmentsOf(service)) {
                if (seen.add(assigned.getIp())) {
                    forIp(assigned.getIp(), state, node, peers, servingNodes, serviceLabels, problems)
                            .forEach((to, planned) -> byPeer.get(to.peer()).merge(to.prefix(), planned, Planned::merge));
                }
            }
        }
        Map<String, List<Planned>> result = new TreeMap<>();
        byPeer.forEach((peer, ads) -> result.put(peer, inPrefixOrder(ads)));
        problems.sort(null);
        return new Plan(result, problems);
    }

    /** A prefix told to one peer. */
    public record PeerPrefix(String peer, IpPrefix prefix) {}

    /**
     * What one IP adds to the plan: for each peer among {@code peers} and prefix, what it is
     * announced with (nothing when endpoints or this node do not allow it; only by the advertisements
     * whose serviceSelectors select one of its holders' {@code serviceLabels}); problems are added to
     * {@code problems}. Where prefixes aggregate IPs, the plan merges the IPs' contributions.
     */
    public static Map<PeerPrefix, Planned> forIp(String ip, LedgerState state, NodeInfo node, List<String> peers,
                                                 Map<ServiceKey, Set<String>> servingNodes,
                                                 Function<ServiceKey, Map<String, String>> serviceLabels,
                                                 List<String> problems) {
        Collection<IpAssigned> holders = state.holders(ip);
        if (!node.mayAnnounce() || peers.isEmpty() || holders.isEmpty() || !endpointsAllow(holders, node.name(), servingNodes)) {
            return Map.of();
        }
        Map<PeerPrefix, Planned> out = new HashMap<>();
        announce(holders.iterator().next(), state, node, peers, serviceLabels, out, problems);
        return out;
    }

    /** Ordered by prefix: IPv4 before IPv6, then by address ("10.0.0.2/32" before "10.0.0.10/32"), then by length. */
    private static List<Planned> inPrefixOrder(Map<IpPrefix, Planned> ads) {
        return List.copyOf(new TreeMap<>(ads).values());
    }

    /**
     * This node's BGPPeers and the BFD profiles they name (a profile named but not defined is
     * absent: the peer is then refused, {@link BfdProfiles#bfdPeer}).
     */
    public record Peers(List<BgpPeerDefined> list, Map<String, BfdProfileDefined> bfdProfiles) {
        public static final Peers NONE = new Peers(List.of(), Map.of());

        public Peers {
            list = List.copyOf(list);
            bfdProfiles = Map.copyOf(bfdProfiles);
        }
    }

    public static Peers peers(LedgerState state, NodeInfo node) {
        List<BgpPeerDefined> list = peersFor(state, node);
        Map<String, BfdProfileDefined> profiles = new HashMap<>();
        for (BgpPeerDefined peer : list) {
            BfdProfileDefined profile = state.bfdProfiles().get(peer.getBfdProfile());
            if (profile != null) {
                profiles.put(peer.getBfdProfile(), profile);
            }
        }
        return new Peers(list, profiles);
    }

    /** The BGPPeers whose node selectors select this node. */
    public static List<BgpPeerDefined> peersFor(LedgerState state, NodeInfo node) {
        return state.bgpPeers().values().stream()
                .filter(p -> LabelSelectors.anyMatches(p.getNodeSelectorsList(), node.labels())).toList();
    }

    static boolean endpointsAllow(Collection<IpAssigned> holders, String node, Map<ServiceKey, Set<String>> servingNodes) {
        boolean anyServing = false;
        for (IpAssigned holder : holders) {
            Set<String> serving = servingNodes.getOrDefault(ServiceKey.of(holder.getService()), Set.of());
            if (holder.getTrafficPolicyLocal() && !serving.contains(node)) {
                return false;
            }
            anyServing |= !serving.isEmpty();
        }
        return anyServing;
    }

    private static void announce(IpAssigned assigned, LedgerState state, NodeInfo node, List<String> peers,
                                 Function<ServiceKey, Map<String, String>> serviceLabels,
                                 Map<PeerPrefix, Planned> out, List<String> problems) {
        Set<ServiceKey> holders = new HashSet<>();
        state.holders(assigned.getIp()).forEach(h -> holders.add(ServiceKey.of(h.getService())));
        PoolDefined pool = state.pools().get(assigned.getPool());
        if (pool == null) {
            problems.add("IP " + assigned.getIp() + ": pool '" + assigned.getPool() + "' is not defined");
            return;
        }
        for (BgpAdvertisementDefined adv : state.bgpAdvertisements().values()) {
            if (!selectsPool(adv, pool) || !LabelSelectors.anyMatches(adv.getNodeSelectorsList(), node.labels())
                    || !ServiceSelection.announces(adv.getServiceSelectorsList(), state.holders(assigned.getIp()),
                            serviceLabels)) {
                continue;
            }
            Advertisement ad;
            try {
                ad = advertisement(assigned.getIp(), adv);
            } catch (IllegalArgumentException e) {
                problems.add("BGPAdvertisement " + adv.getName() + ", IP " + assigned.getIp() + ": " + e.getMessage());
                continue;
            }
            Planned planned = new Planned(ad, holders);
            for (String peer : adv.getPeersCount() == 0 ? peers : adv.getPeersList()) {
                if (peers.contains(peer)) {
                    out.merge(new PeerPrefix(peer, ad.prefix()), planned, Planned::merge);
                }
            }
        }
    }

    public static boolean selectsPool(BgpAdvertisementDefined adv, PoolDefined pool) {
        if (adv.getIpAddressPoolsCount() == 0 && adv.getIpAddressPoolSelectorsCount() == 0) {
            return true;
        }
        return adv.getIpAddressPoolsList().contains(pool.getName())
                || adv.getIpAddressPoolSelectorsList().stream().anyMatch(s -> LabelSelectors.matches(s, pool.getLabelsMap()));
    }

    static Advertisement advertisement(String ip, BgpAdvertisementDefined adv) {
        IpPrefix host = IpPrefix.parse(ip);
        int length = host.ipv6()
                ? (adv.getAggregationLengthV6() == 0 ? 128 : adv.getAggregationLengthV6())
                : (adv.getAggregationLength() == 0 ? 32 : adv.getAggregationLength());
        IpPrefix prefix = new IpPrefix(host.address(), length);
        List<Community> communities = adv.getCommunitiesList().stream().map(c -> Community.parse(c.trim())).toList();
        List<LargeCommunity> large = adv.getLargeCommunitiesList().stream().map(c -> LargeCommunity.parse(c.trim())).toList();
        return new Advertisement(prefix, adv.getLocalPref() == 0 ? null : (long) adv.getLocalPref(), communities, large);
    }

    private static Advertisement merge(Advertisement a, Advertisement b) {
        // no ?: here: mixing Long and long unboxes, and two unset preferences would throw
        Long pref = a.localPref();
        if (pref == null || (b.localPref() != null && b.localPref() > pref)) {
            pref = b.localPref();
        }
        List<Community> communities = new ArrayList<>(new TreeSet<>(concat(a.communities(), b.communities())));
        List<LargeCommunity> large = new ArrayList<>(new TreeSet<>(concat(a.largeCommunities(), b.largeCommunities())));
        return new Advertisement(a.prefix(), pref, communities, large);
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
