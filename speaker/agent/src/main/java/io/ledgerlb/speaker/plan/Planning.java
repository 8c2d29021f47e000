package io.ledgerlb.speaker.plan;

import io.ledgerlb.events.v1.BgpAdvertisementDefined;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.events.v1.ConfigRemoved;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.L2AdvertisementDefined;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.speaker.bgp.announce.BgpAnnouncer;
import io.ledgerlb.speaker.bgp.announce.BgpAnnouncer.PeerPrefix;
import io.ledgerlb.speaker.bgp.announce.BgpAnnouncer.Planned;
import io.ledgerlb.speaker.owner.ClusterView;
import io.ledgerlb.speaker.owner.L2Assignment;
import io.ledgerlb.speaker.owner.L2Planner;
import io.ledgerlb.speaker.owner.NodeInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The speaker's plan (Layer 2 owners, BGP advertisements), kept up to date change by change: an
 * event is folded into this planner's own copy of the ledger state (so planning never takes the
 * follower's lock), and only the IPs it touches are planned again — its IP, the IPs of its pool,
 * of the pools an advertisement selects before and after, of a Service whose endpoints or labels
 * (for serviceSelectors) changed.
 * What touches everything is planned in full: a member or Node coming or going (any IP may move
 * to a new node), a BGPPeer (every route goes to it). {@link #agreesWithFullPlan} checks the
 * result against a plan made from scratch.
 *
 * <p>Not thread-safe: the speaker's planning thread owns it.
 */
public final class Planning {
    private final String node;
    private LedgerState state;
    private final Map<ServiceKey, Set<String>> serving = new HashMap<>();
    private final Map<ServiceKey, Map<String, String>> labels = new HashMap<>();
    private Map<String, NodeInfo> nodes = Map.of();
    private Set<String> live = Set.of();
    private boolean withKubernetes;

    /** This node's Layer 2 assignments (the other nodes' are planned and compared, not kept: 50,000 of them at 50k). */
    private final Map<String, L2Assignment> l2 = new HashMap<>();
    private final Map<String, String> skipped = new HashMap<>();

    private BgpAnnouncer.Peers peers = BgpAnnouncer.Peers.NONE;
    private final Map<String, Map<PeerPrefix, Planned>> contributions = new HashMap<>();
    private final Map<String, List<String>> problemsByIp = new HashMap<>();
    private final Map<PeerPrefix, Set<String>> ipsOfPrefix = new HashMap<>();
    private final Map<PeerPrefix, Planned> bgp = new HashMap<>();

    private final Set<String> touched = new HashSet<>();
    private boolean fullL2;
    private boolean fullBgp;
    /** A BFD profile changed: this node's peers are read again (their routes stay as they are). */
    private boolean peersDirty;
    private int lastPassIps;
    private List<String> round = List.of();
    private int cursor;

    /**
     * What changed in one pass.
     *
     * @param l2       each IP whose Layer 2 assignment on this node changed: the new one, or empty (no longer this node's)
     * @param skipped  IPs newly skipped, with why
     * @param bgp      each (peer, prefix) whose advertisement changed: the new one, or empty (withdrawn)
     * @param peers    this node's BGPPeers and the BFD profiles they name, when they changed
     * @param problems the BGP configuration problems, when they changed
     */
    public record Delta(Map<String, Optional<L2Assignment>> l2, Map<String, String> skipped,
                        Map<PeerPrefix, Optional<Planned>> bgp, Optional<BgpAnnouncer.Peers> peers,
                        Optional<List<String>> problems) {
        public boolean isEmpty() {
            return l2.isEmpty() && skipped.isEmpty() && bgp.isEmpty() && peers.isEmpty() && problems.isEmpty();
        }
    }

    public Planning(String node) {
        this.node = node;
    }

    public boolean hasState() {
        return state != null;
    }

    public LedgerState state() {
        return state;
    }

    /** Starts over from this state (a copy this planner then owns): everything is planned again. */
    public void reset(LedgerState own) {
        state = own;
        planEverything();
    }

    /**
     * Folds the next entry, noting what it touches. An entry already folded is skipped; one that
     * does not continue this state throws {@link io.ledgerlb.ledger.state.LedgerSequenceException}
     * (the caller starts over from the follower's state).
     */
    public void apply(LedgerEntry entry) {
        if (entry.sequence() <= state.sequence()) {
            return;
        }
        Event event = entry.event();
        touch(event);
        state.apply(entry);
    }

    /** What an event touches, read from the state before it is folded (the old advertisement, say). */
    private void touch(Event event) {
        switch (event.getBodyCase()) {
            case IP_ASSIGNED -> touched.add(event.getIpAssigned().getIp());
            case IP_RELEASED -> touched.add(event.getIpReleased().getIp());
            case POOL_DEFINED -> touchPools(Set.of(event.getPoolDefined().getName()));
            case L2_ADVERTISEMENT_DEFINED -> {
                L2AdvertisementDefined now = event.getL2AdvertisementDefined();
                touchL2Pools(state.l2Advertisements().get(now.getName()));
                touchL2Pools(now);
            }
            case BGP_ADVERTISEMENT_DEFINED -> {
                BgpAdvertisementDefined now = event.getBgpAdvertisementDefined();
                touchBgpPools(state.bgpAdvertisements().get(now.getName()));
                touchBgpPools(now);
            }
            case BGP_PEER_DEFINED -> fullBgp = true;
            case BFD_PROFILE_DEFINED -> peersDirty = true;
            case CONFIG_REMOVED -> {
                ConfigRemoved removed = event.getConfigRemoved();
                switch (removed.getKind()) {
                    case POOL -> touchPools(Set.of(removed.getName()));
                    case L2_ADVERTISEMENT -> touchL2Pools(state.l2Advertisements().get(removed.getName()));
                    case BGP_ADVERTISEMENT -> touchBgpPools(state.bgpAdvertisements().get(removed.getName()));
                    case BGP_PEER -> fullBgp = true;
                    case BFD_PROFILE -> peersDirty = true;
                    default -> { } // communities reach the plan through advertisements (events of their own)
                }
            }
            default -> { }
        }
    }

    /**
     * A pool's IPs, found by going over every assigned IP: pools and advertisements change
     * rarely, and an index by pool would cost a set entry per IP (2 MB at 50,000 Services).
     */
    private void touchPools(Set<String> pools) {
        if (pools.isEmpty()) {
            return;
        }
        for (String ip : state.assignedIps()) {
            for (IpAssigned holder : state.holders(ip)) {
                if (pools.contains(holder.getPool())) {
                    touched.add(ip);
                }
            }
        }
    }

    private void touchL2Pools(L2AdvertisementDefined advert) {
        if (advert != null) {
            touchPools(state.pools().values().stream().filter(p -> L2Planner.selectsPool(advert, p))
                    .map(PoolDefined::getName).collect(Collectors.toSet()));
        }
    }

    private void touchBgpPools(BgpAdvertisementDefined advert) {
        if (advert != null) {
            touchPools(state.pools().values().stream().filter(p -> BgpAnnouncer.selectsPool(advert, p))
                    .map(PoolDefined::getName).collect(Collectors.toSet()));
        }
    }

    /** The live speakers changed: any IP may have a new owner. */
    public void members(Set<String> now) {
        if (!now.equals(live)) {
            live = Set.copyOf(now);
            fullL2 = true;
            fullBgp |= !withKubernetes; // without Kubernetes every live speaker counts as serving
        }
    }

    /** The Nodes changed (labels, conditions); {@code withKubernetes}: whether they are authoritative. */
    public void nodes(Map<String, NodeInfo> now, boolean withKubernetes) {
        if (!now.equals(nodes) || withKubernetes != this.withKubernetes) {
            fullBgp |= !Objects.equals(now.get(node), nodes.get(node)) || withKubernetes != this.withKubernetes;
            nodes = Map.copyOf(now);
            this.withKubernetes = withKubernetes;
            fullL2 = true;
        }
    }

    /** Where a Service has serving endpoints now (empty: nowhere): its IPs are planned again. */
    public void serving(ServiceKey service, Set<String> where) {
        Set<String> before = where.isEmpty() ? serving.remove(service) : serving.put(service, Set.copyOf(where));
        if (!Objects.equals(before == null ? Set.of() : before, where)) {
            touchService(service);
        }
    }

    /** A Service's labels now (empty: none, or it is gone), for serviceSelectors: its IPs are planned again. */
    public void labels(ServiceKey service, Map<String, String> now) {
        Map<String, String> before = now.isEmpty() ? labels.remove(service) : labels.put(service, Map.copyOf(now));
        if (!Objects.equals(before == null ? Map.of() : before, now)) {
            touchService(service);
        }
    }

    private void touchService(ServiceKey service) {
        if (state != null) {
            state.assignmentsOf(service).forEach(a -> touched.add(a.getIp()));
        } else {
            planEverything();
        }
    }

    /** Everything is planned again at the next {@link #plan}. */
    public void planEverything() {
        fullL2 = true;
        fullBgp = true;
    }

    /** Plans what changed since the last pass; nothing before a state is known. */
    public Delta plan() {
        if (state == null) {
            return new Delta(Map.of(), Map.of(), Map.of(), Optional.empty(), Optional.empty());
        }
        ClusterView view = view();
        Map<String, Optional<L2Assignment>> l2Changes = new HashMap<>();
        Map<String, String> newlySkipped = new TreeMap<>();
        Set<String> l2Ips = fullL2 ? allIps(l2.keySet(), skipped.keySet()) : touched;
        L2Planner.PoolNodes pools = new L2Planner.PoolNodes(state, view);
        for (String ip : l2Ips) {
            L2Planner.Decision d = L2Planner.planIp(state, view, ip, pools);
            Optional<L2Assignment> mine = d.assignment().filter(this::isMine);
            L2Assignment before = mine.isPresent() ? l2.put(ip, mine.get()) : l2.remove(ip);
            if (!Objects.equals(before, mine.orElse(null))) {
                l2Changes.put(ip, mine);
            }
            String reason = d.skipped().orElse(null);
            String was = reason == null ? skipped.remove(ip) : skipped.put(ip, reason);
            if (reason != null && !reason.equals(was)) {
                newlySkipped.put(ip, reason);
            }
        }

        Optional<BgpAnnouncer.Peers> peersChanged = Optional.empty();
        NodeInfo me = nodeInfo();
        if (fullBgp || peersDirty) {
            BgpAnnouncer.Peers now = BgpAnnouncer.peers(state, me);
            if (!now.equals(peers)) {
                peers = now;
                peersChanged = Optional.of(now);
            }
        }
        Set<String> bgpIps = fullBgp ? allIps(contributions.keySet(), problemsByIp.keySet()) : touched;
        boolean problemsChanged = false;
        Set<PeerPrefix> dirty = new HashSet<>();
        List<String> peerNames = peers.list().stream().map(BgpPeerDefined::getName).toList();
        for (String ip : bgpIps) {
            Map<PeerPrefix, Planned> old = contributions.remove(ip);
            if (old != null) {
                old.keySet().forEach(key -> {
                    ipsOfPrefix.computeIfPresent(key, (k, ips) -> without(ips, ip));
                    dirty.add(key);
                });
            }
            List<String> problems = new ArrayList<>();
            Map<PeerPrefix, Planned> now = BgpAnnouncer.forIp(ip, state, me, peerNames, servingOf(state.holders(ip)),
                    view::labels, problems);
            if (!now.isEmpty()) {
                contributions.put(ip, Map.copyOf(now));
                now.keySet().forEach(key -> {
                    ipsOfPrefix.compute(key, (k, ips) -> with(ips, ip));
                    dirty.add(key);
                });
            }
            List<String> before = problems.isEmpty() ? problemsByIp.remove(ip) : problemsByIp.put(ip, problems);
            problemsChanged |= !Objects.equals(before == null ? List.of() : before, problems);
        }
        Map<PeerPrefix, Optional<Planned>> bgpChanges = new HashMap<>();
        for (PeerPrefix key : dirty) {
            Planned merged = null;
            for (String ip : ipsOfPrefix.getOrDefault(key, Set.of())) {
                Planned one = contributions.get(ip).get(key);
                merged = merged == null ? one : merged.merge(one);
            }
            Planned before = merged == null ? bgp.remove(key) : bgp.put(key, merged);
            if (!Objects.equals(before, merged)) {
                bgpChanges.put(key, Optional.ofNullable(merged));
            }
        }
        lastPassIps = l2Ips.size() + bgpIps.size();
        touched.clear();
        fullL2 = false;
        fullBgp = false;
        peersDirty = false;
        return new Delta(l2Changes, newlySkipped, bgpChanges, peersChanged,
                problemsChanged ? Optional.of(bgpProblems()) : Optional.empty());
    }

    // The sets of ipsOfPrefix and the maps of contributions hold one entry but for aggregated
    // prefixes and shared IPs. They are replaced, never changed: one small immutable collection
    // per IP instead of a TreeSet or a HashMap (at 50,000 Services that was ~15 MB of heap, and a
    // heap that full made every young collection a full one). Sets of more than one IP stay
    // sorted: advertisements are merged in IP order, as a plan from scratch merges them.

    private static Set<String> with(Set<String> ips, String ip) {
        if (ips == null || ips.size() == 1 && ips.contains(ip)) {
            return Set.of(ip);
        }
        TreeSet<String> more = new TreeSet<>(ips);
        more.add(ip);
        return Collections.unmodifiableSortedSet(more);
    }

    /** Null (no IP left) removes the prefix. */
    private static Set<String> without(Set<String> ips, String ip) {
        if (!ips.contains(ip)) {
            return ips;
        }
        if (ips.size() == 1) {
            return null;
        }
        TreeSet<String> fewer = new TreeSet<>(ips);
        fewer.remove(ip);
        return fewer.size() == 1 ? Set.of(fewer.first()) : Collections.unmodifiableSortedSet(fewer);
    }

    /** Every assigned IP, and those planned before (they may be released now). */
    private Set<String> allIps(Collection<String> plannedBefore, Collection<String> alsoBefore) {
        Set<String> ips = new HashSet<>(state.assignedIps());
        ips.addAll(plannedBefore);
        ips.addAll(alsoBefore);
        return ips;
    }

    private boolean isMine(L2Assignment assignment) {
        return assignment.node().equals(node);
    }

    private ClusterView view() {
        return new ClusterView(nodes, live, serving, withKubernetes, labels);
    }

    private NodeInfo nodeInfo() {
        return withKubernetes ? nodes.getOrDefault(node, new NodeInfo(node, Map.of(), false)) : new NodeInfo(node, Map.of(), false);
    }

    /** The holders' serving nodes; without Kubernetes nothing says where endpoints are: every live speaker. */
    private Map<ServiceKey, Set<String>> servingOf(Collection<IpAssigned> holders) {
        if (withKubernetes) {
            return serving;
        }
        Map<ServiceKey, Set<String>> everywhere = new HashMap<>();
        holders.forEach(h -> everywhere.put(ServiceKey.of(h.getService()), live));
        return everywhere;
    }

    /**
     * Plans the next {@code count} IPs of a round over every IP from scratch and compares each
     * with the incremental plan: a round spread over many calls is a full re-plan that never
     * holds the planning thread for long (at 50,000 Services a whole plan takes seconds). The
     * IPs that differ are returned and planned again at the next {@link #plan}.
     */
    public List<String> recheck(int count) {
        if (state == null) {
            return List.of();
        }
        if (cursor >= round.size()) {
            Set<String> all = allIps(l2.keySet(), skipped.keySet());
            all.addAll(contributions.keySet());
            all.addAll(problemsByIp.keySet());
            round = new ArrayList<>(all);
            cursor = 0;
            BgpAnnouncer.Peers now = BgpAnnouncer.peers(state, nodeInfo());
            if (!now.list().equals(peers.list())) {
                fullBgp = true;
            } else if (!now.equals(peers)) {
                peersDirty = true;
            }
        }
        ClusterView view = view();
        L2Planner.PoolNodes pools = new L2Planner.PoolNodes(state, view);
        NodeInfo me = nodeInfo();
        List<String> peerNames = peers.list().stream().map(BgpPeerDefined::getName).toList();
        List<String> differ = new ArrayList<>();
        for (int end = Math.min(round.size(), cursor + count); cursor < end; cursor++) {
            String ip = round.get(cursor);
            L2Planner.Decision d = L2Planner.planIp(state, view, ip, pools);
            List<String> problems = new ArrayList<>();
            Map<PeerPrefix, Planned> bgpNow = BgpAnnouncer.forIp(ip, state, me, peerNames, servingOf(state.holders(ip)),
                    view::labels, problems);
            if (!Objects.equals(d.assignment().filter(this::isMine).orElse(null), l2.get(ip))
                    || !Objects.equals(d.skipped().orElse(null), skipped.get(ip))
                    || !bgpNow.equals(contributions.getOrDefault(ip, Map.of()))
                    || !problems.equals(problemsByIp.getOrDefault(ip, List.of()))) {
                differ.add(ip);
            }
        }
        touched.addAll(differ);
        return differ;
    }

    /** How many IPs a round of {@link #recheck} goes over (those assigned, and those planned before). */
    public int ipCount() {
        if (round.size() > 0 && cursor < round.size()) {
            return round.size();
        }
        return state == null ? 0 : state.assignedIpCount() + skipped.size();
    }

    // ---- reading the plan

    /** How many IPs the last {@link #plan} planned again (Layer 2 and BGP counted apart): the work it did. */
    public int lastPassIps() {
        return lastPassIps;
    }

    /** This node's Layer 2 assignments, by IP. */
    public Map<String, L2Assignment> l2() {
        return Collections.unmodifiableMap(l2);
    }

    public Map<PeerPrefix, Planned> bgp() {
        return Collections.unmodifiableMap(bgp);
    }

    public List<BgpPeerDefined> peers() {
        return peers.list();
    }

    public List<String> bgpProblems() {
        List<String> all = new ArrayList<>();
        problemsByIp.values().forEach(all::addAll);
        all.sort(null);
        return all;
    }

    /** The uid of a Service holding an IP (for the Events on it), or "" when it holds none now. */
    public String uid(ServiceKey service) {
        return state.assignmentsOf(service).stream().findFirst().map(a -> a.getService().getUid()).orElse("");
    }

    /** The plan as {@link BgpAnnouncer#plan} makes it: every peer of this node, its advertisements in prefix order. */
    public BgpAnnouncer.Plan bgpPlan() {
        Map<String, Map<String, Planned>> byPeer = new TreeMap<>();
        peers.list().forEach(p -> byPeer.put(p.getName(), new TreeMap<>()));
        bgp.forEach((key, planned) -> byPeer.get(key.peer()).put(key.prefix().toString(), planned));
        Map<String, List<Planned>> out = new TreeMap<>();
        byPeer.forEach((peer, ads) -> out.put(peer, List.copyOf(ads.values())));
        return new BgpAnnouncer.Plan(out, bgpProblems());
    }

    /**
     * Whether the incremental plan is the one a plan from scratch makes now ({@link L2Planner#plan},
     * {@link BgpAnnouncer#plan}); call it right after {@link #plan}. What differs is returned, for
     * the log; the caller then plans everything again.
     */
    public List<String> disagreementsWithFullPlan() {
        List<String> out = new ArrayList<>();
        ClusterView view = view();
        L2Planner.Plan full = L2Planner.plan(state, view);
        Map<String, L2Assignment> fullMine = new TreeMap<>();
        full.ownedBy(node).forEach(a -> fullMine.put(a.ip(), a));
        if (!fullMine.equals(new TreeMap<>(l2))) {
            out.add("layer2 owners of this node: incremental " + l2.size() + " IPs, full " + fullMine.size());
        }
        if (!full.skipped().equals(new TreeMap<>(skipped))) {
            out.add("layer2 skipped IPs: incremental " + skipped.keySet() + ", full " + full.skipped().keySet());
        }
        Map<ServiceKey, Set<String>> allServing = view.servingNodes(state.servicesWithAssignments());
        BgpAnnouncer.Plan fullBgpPlan = BgpAnnouncer.plan(state, nodeInfo(), allServing, view::labels);
        if (!fullBgpPlan.equals(bgpPlan())) {
            out.add("bgp advertisements: incremental " + bgp.size() + ", full "
                    + fullBgpPlan.byPeer().values().stream().mapToInt(List::size).sum());
        }
        if (!BgpAnnouncer.peers(state, nodeInfo()).equals(peers)) {
            out.add("bgp peers or their BFD profiles differ");
        }
        return out;
    }
}
