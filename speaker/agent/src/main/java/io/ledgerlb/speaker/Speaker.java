package io.ledgerlb.speaker;

import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.ledger.event.SignedChain;
import io.ledgerlb.ledger.LedgerFollower;
import io.ledgerlb.ledger.LedgerListener;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.speaker.k8s.ClusterWatch;
import io.ledgerlb.speaker.k8s.ServiceL2Status;
import io.ledgerlb.speaker.k8s.StatusWriter;
import io.ledgerlb.speaker.l2.L2Announcer;
import io.ledgerlb.speaker.l2.OwnedIps;
import io.ledgerlb.speaker.members.Membership;
import io.ledgerlb.speaker.metrics.SpeakerMetrics;
import io.ledgerlb.speaker.owner.ClusterView;
import io.ledgerlb.speaker.owner.L2Assignment;
import io.ledgerlb.speaker.owner.L2Planner;
import io.ledgerlb.speaker.owner.NodeInfo;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The speaker's heart: whenever the ledger, the cluster or the membership changes, it plans
 * ownership again ({@link L2Planner}, on one thread, bursts coalesced), hands the IPs it owns to
 * Layer 2, announces the ones it took over and tells Kubernetes. Under the ledger's lock it only
 * reads the state into plans; Layer 2 is applied first, on the planning thread, and BGP after it on
 * a thread of its own ({@link BgpSpeaking}: Secret reads, sessions closing), so neither the
 * follower nor a Layer 2 failover waits on a BGP peer or the API server. Nothing is owned before the
 * ledger has caught up and membership has settled (see the join delay in {@link Membership}).
 */
public final class Speaker implements Membership.Listener, LedgerListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Speaker.class);

    private final String node;
    private final L2Announcer announcer;
    private final SpeakerMetrics metrics;
    private final Optional<ClusterWatch> cluster;
    private final Optional<StatusWriter<ServiceL2Status>> status;
    private final Optional<BgpSpeaking> bgp;
    private final ExecutorService planner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "speaker-plan");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean planPending = new AtomicBoolean();
    private final ExecutorService bgpThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "speaker-bgp");
        t.setDaemon(true);
        return t;
    });
    private final java.util.concurrent.atomic.AtomicReference<BgpSpeaking.Input> bgpPending =
            new java.util.concurrent.atomic.AtomicReference<>();
    private volatile LedgerFollower follower;
    private volatile boolean caughtUp;
    private final java.util.concurrent.CountDownLatch folded = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean leaving;
    private volatile boolean stale;
    private volatile Set<String> eligible = Set.of();
    private Set<String> plannedWith = Set.of();
    private Map<String, String> skipped = Map.of();
    private List<L2Assignment> mine = List.of();

    public Speaker(String node, L2Announcer announcer, SpeakerMetrics metrics,
                   Optional<ClusterWatch> cluster, Optional<StatusWriter<ServiceL2Status>> status, Optional<BgpSpeaking> bgp) {
        this.node = node;
        this.bgp = bgp;
        this.announcer = announcer;
        this.metrics = metrics;
        this.cluster = cluster;
        this.status = status;
    }

    /** The follower this speaker reads the state from (created with this speaker as its listener). */
    /**
     * Blocks until the ledger is folded to where it ended at start. A speaker joins membership
     * only then: the others hand it IPs as soon as it is eligible, and it must be able to answer.
     */
    public void awaitLedgerFolded() throws InterruptedException {
        folded.await();
    }

    public void following(LedgerFollower follower) {
        this.follower = follower;
        requestPlan();
    }

    @Override
    public void applied(LedgerEntry entry, LedgerState state) {
        if (caughtUp) {
            requestPlan();
        }
    }

    @Override
    public void caughtUp(LedgerState state) {
        caughtUp = true;
        folded.countDown();
        log.atInfo().addKeyValue("event", "ledgerCaughtUp").addKeyValue("sequence", state.sequence())
                .log("ledger caught up");
        requestPlan();
    }

    @Override
    public void passedOver(SignedChain.PassedOver record) {
        metrics.count(SpeakerMetrics.LEDGER_PASSED_OVER, "");
        log.atError().addKeyValue("event", "ledgerRecordPassedOver").addKeyValue("sequence", record.sequence())
                .addKeyValue("offset", record.position()).addKeyValue("reason", record.reason())
                .log("passed over a ledger record that no trusted signed head vouches for; it is never announced");
        status.ifPresent(w -> w.ledgerRecordPassedOver(record.sequence(), record.position(), record.reason()));
    }

    @Override
    public void broken(LedgerFormatException error) {
        folded.countDown();
        log.atError().addKeyValue("event", "ledgerBroken").addKeyValue("error", error.getMessage())
                .log("the ledger holds a record that does not continue the chain; following stopped there, announcing what was folded before it");
    }

    @Override
    public void eligibleMembersChanged(Set<String> now) {
        eligible = now;
        requestPlan();
    }

    /**
     * While the folded state is known stale ({@link LedgerWatch}), nothing is planned: what is
     * announced stays announced, nothing is taken over or withdrawn. Planned again when it is not.
     */
    void stale(boolean now) {
        boolean was = stale;
        stale = now;
        if (was && !now) {
            requestPlan();
        } else if (!was && now) {
            log.atError().addKeyValue("event", "planningFrozen").addKeyValue("announcing", mine.size())
                    .log("the ledger state is stale: keeping what this node announces, taking nothing over");
        }
    }

    boolean planningFrozen() {
        return stale;
    }

    public void clusterChanged() {
        requestPlan();
    }

    /** The IPs this node announces now. */
    public List<L2Assignment> announcing() {
        return mine;
    }

    /** Stops planning: what is owned stays owned while the others take over (graceful shutdown). */
    public void leaving() {
        leaving = true;
    }

    private void requestPlan() {
        if (planPending.compareAndSet(false, true)) {
            try {
                planner.execute(this::plan);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    private record Planned(L2Planner.Plan plan, Map<ServiceKey, String> uids, Optional<BgpSpeaking.Input> bgp) {}

    /**
     * Hands the BGP part of a plan to the BGP thread, which applies the latest one it has (older
     * ones it has not started are skipped): a Secret read or a session that takes seconds to close
     * holds up neither the ledger nor Layer 2.
     */
    private void announceBgp(BgpSpeaking.Input input) {
        if (bgpPending.getAndSet(input) == null) {
            try {
                bgpThread.execute(() -> {
                    BgpSpeaking.Input latest = bgpPending.getAndSet(null);
                    try {
                        bgp.orElseThrow().apply(latest);
                    } catch (RuntimeException e) {
                        log.error("applying the BGP plan failed; Layer 2 goes on", e);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    private void plan() {
        planPending.set(false);
        LedgerFollower f = follower;
        if (f == null || !caughtUp || leaving || stale) {
            return;
        }
        try {
            Set<String> members = eligible;
            ClusterView view = new ClusterView(
                    cluster.map(ClusterWatch::nodes).orElse(Map.of()), members,
                    cluster.map(ClusterWatch::servingNodes).orElse(Map.of()), cluster.isPresent(),
                    cluster.map(ClusterWatch::serviceLabels).orElse(Map.of()));
            Planned planned = f.withState(state -> {
                // under the ledger's lock only what is pure and quick: reading the state into plans
                Optional<BgpSpeaking.Input> bgpInput = Optional.empty();
                if (bgp.isPresent()) {
                    try {
                        bgpInput = Optional.of(BgpSpeaking.input(state, view.nodes().getOrDefault(node,
                                new NodeInfo(node, Map.of(), false)), view.servingNodes(state.servicesWithAssignments()),
                                view::labels));
                    } catch (RuntimeException e) {
                        log.error("BGP planning failed; Layer 2 goes on", e);
                    }
                }
                L2Planner.Plan plan = L2Planner.plan(state, view);
                Map<ServiceKey, String> uids = new HashMap<>();
                for (L2Assignment a : plan.ownedBy(node)) {
                    for (IpAssigned holder : state.holders(a.ip())) {
                        uids.put(ServiceKey.of(holder.getService()), holder.getService().getUid());
                    }
                }
                return new Planned(plan, uids, bgpInput);
            });
            apply(planned, !plannedWith.containsAll(members)); // Layer 2 first, on this thread
            plannedWith = members;
            planned.bgp().ifPresent(this::announceBgp);
        } catch (RuntimeException e) {
            log.error("planning ownership failed; keeping the previous plan", e);
        }
    }

    private void apply(Planned planned, boolean memberJoined) {
        logSkipped(planned.plan().skipped());
        List<L2Assignment> now = planned.plan().ownedBy(node);
        Map<InetAddress, Set<String>> interfaces = new HashMap<>();
        Map<InetAddress, L2Assignment> byAddress = new HashMap<>();
        for (L2Assignment a : now) {
            InetAddress ip = literal(a.ip());
            if (ip != null) {
                interfaces.put(ip, a.interfaces());
                byAddress.put(ip, a);
            }
        }
        OwnedIps before = announcer.owned();
        announcer.own(new OwnedIps(interfaces));
        Set<String> previous = new HashSet<>();
        mine.forEach(a -> previous.add(a.ip()));
        for (L2Assignment a : mine) {
            if (!byAddress.containsKey(literal(a.ip()))) {
                log.atInfo().addKeyValue("event", "serviceWithdrawn").addKeyValue("ip", a.ip())
                        .addKeyValue("services", a.services()).log("stopped announcing service IP");
            }
        }
        for (Map.Entry<InetAddress, L2Assignment> e : byAddress.entrySet()) {
            L2Assignment a = e.getValue();
            boolean gained = !before.ips().contains(e.getKey());
            if (gained || memberJoined) {
                announcer.announce(e.getKey(), a.interfaces());
            }
            if (gained) {
                log.atInfo().addKeyValue("event", "serviceAnnounced").addKeyValue("ip", a.ip())
                        .addKeyValue("services", a.services()).addKeyValue("interfaces", a.interfaces())
                        .log("taking over service IP, sending gratuitous announcements");
            }
        }
        Set<Announced> announcedBefore = announcedServices(mine);
        Set<Announced> announcedNow = announcedServices(now);
        announcedBefore.stream().filter(k -> !announcedNow.contains(k))
                .forEach(k -> metrics.announced(k.ip(), node, "layer2", k.service(), false));
        announcedNow.stream().filter(k -> !announcedBefore.contains(k))
                .forEach(k -> metrics.announced(k.ip(), node, "layer2", k.service(), true));
        mine = now;
        status.ifPresent(w -> w.announcing(StatusWriter.interfacesByService(now), planned.uids()));
    }

    /** One series of {@code metallb_speaker_announced}: an IP and a Service ({@code namespace/name}) behind it. */
    record Announced(String ip, String service) {}

    /**
     * (IP, namespace/name) of every Service behind each assignment: {@code metallb_speaker_announced}
     * follows Services joining and leaving an IP this node keeps, not only the IPs it gains.
     */
    static Set<Announced> announcedServices(List<L2Assignment> assignments) {
        Set<Announced> out = new HashSet<>();
        assignments.forEach(a -> a.services().forEach(s -> out.add(new Announced(a.ip(), s.namespace() + "/" + s.name()))));
        return out;
    }

    private void logSkipped(Map<String, String> now) {
        now.forEach((ip, reason) -> {
            if (!reason.equals(skipped.get(ip))) {
                log.atWarn().addKeyValue("event", "ipNotAnnounced").addKeyValue("ip", ip).addKeyValue("reason", reason)
                        .log("ignoring an assignment the speaker cannot announce");
            }
        });
        skipped = now;
    }

    private static InetAddress literal(String ip) {
        try {
            return InetAddress.getByName(ip); // the ledger holds IP literals: no lookup
        } catch (UnknownHostException e) {
            log.warn("ignoring assignment of something that is not an IP: {}", ip);
            return null;
        }
    }

    @Override
    public void close() {
        bgpThread.shutdownNow();
        planner.shutdownNow();
        try {
            planner.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
