package io.ledgerlb.speaker;

import io.ledgerlb.ledger.event.SignedChain;
import io.ledgerlb.ledger.LedgerFollower;
import io.ledgerlb.ledger.LedgerListener;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.state.LedgerSequenceException;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.net.InvalidAddressException;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.speaker.k8s.ClusterWatch;
import io.ledgerlb.speaker.k8s.ServiceL2Status;
import io.ledgerlb.speaker.k8s.StatusWriter;
import io.ledgerlb.speaker.l2.L2Announcer;
import io.ledgerlb.speaker.members.Membership;
import io.ledgerlb.speaker.metrics.SpeakerMetrics;
import io.ledgerlb.speaker.owner.L2Assignment;
import io.ledgerlb.speaker.plan.Planning;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The speaker's heart: whenever the ledger, the cluster or the membership changes, it plans
 * ownership again ({@link Planning}, on one thread, bursts coalesced), hands the IPs it gained and
 * lost to Layer 2, announces the ones it took over and tells Kubernetes.
 *
 * <p>The follower's thread only queues each entry it folded (and, once caught up, a copy of its
 * state to start from); the planning thread folds them into the planner's own state, so planning
 * never holds the ledger's lock and the follower never waits on a plan. Planning is incremental:
 * an entry costs the IPs it touches ({@link Planning}); a plan from scratch checks it, a slice
 * every second so that a round over every IP takes {@code fullPlanEvery} and never holds this
 * thread for long (a disagreement is logged at ERROR, counted, and those IPs planned again). Layer 2
 * is applied first, on the planning thread; BGP after it on a thread of its own
 * ({@link BgpSpeaking}: sessions, Secrets), status writes on the writers' threads, so neither the
 * follower nor a Layer 2 failover waits on a BGP peer or the API server. Nothing is owned before
 * the ledger has caught up and membership has settled (see the join delay in {@link Membership}).
 */
public final class Speaker implements Membership.Listener, LedgerListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Speaker.class);
    public static final Duration DEFAULT_FULL_PLAN_EVERY = Duration.ofMinutes(1);
    /** Above this many IPs moved by one plan, they are logged as counts, not one line each. */
    static final int LOGGED_IPS = 16;

    private final String node;
    private final L2Announcer announcer;
    private final SpeakerMetrics metrics;
    private final Optional<ClusterWatch> cluster;
    private final Optional<StatusWriter<ServiceL2Status>> status;
    private final Optional<BgpSpeaking> bgp;
    private final long fullPlanEveryNanos;
    private final ExecutorService planner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "speaker-plan");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean planPending = new AtomicBoolean();
    private final java.util.concurrent.ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "speaker-plan-check");
        t.setDaemon(true);
        return t;
    });
    /** Entries folded by the follower, and states (copies) to start over from, in order. */
    private final ConcurrentLinkedQueue<Object> fromLedger = new ConcurrentLinkedQueue<>();
    private final Counter disagreements;
    private volatile LedgerFollower follower;
    private volatile boolean caughtUp;
    private final CountDownLatch folded = new CountDownLatch(1);
    private volatile boolean leaving;
    private volatile boolean stale;
    private volatile Set<String> eligible = Set.of();
    /** The last sequence the follower folded (gauge {@code ledgerlb_speaker_ledger_sequence}). */
    private volatile long foldedSequence;

    // the planning thread's
    private final Planning planning;
    private Set<String> plannedWith = Set.of();
    private final Map<String, L2Assignment> mine = new ConcurrentHashMap<>();
    private final Optional<EntryTrace> trace = EntryTrace.ON ? Optional.of(new EntryTrace()) : Optional.empty();
    /** The entries the current pass took (traced only). */
    private final List<Long> takenThisPass = new java.util.ArrayList<>();

    public Speaker(String node, L2Announcer announcer, SpeakerMetrics metrics,
                   Optional<ClusterWatch> cluster, Optional<StatusWriter<ServiceL2Status>> status, Optional<BgpSpeaking> bgp) {
        this(node, announcer, metrics, cluster, status, bgp, DEFAULT_FULL_PLAN_EVERY);
    }

    public Speaker(String node, L2Announcer announcer, SpeakerMetrics metrics, Optional<ClusterWatch> cluster,
                   Optional<StatusWriter<ServiceL2Status>> status, Optional<BgpSpeaking> bgp, Duration fullPlanEvery) {
        this.node = node;
        this.bgp = bgp;
        this.announcer = announcer;
        this.metrics = metrics;
        this.cluster = cluster;
        this.status = status;
        this.fullPlanEveryNanos = fullPlanEvery.toNanos();
        this.planning = new Planning(node);
        trace.ifPresent(t -> bgp.ifPresent(b -> b.trace(t)));
        ticks.scheduleWithFixedDelay(() -> {
            try {
                planner.execute(this::recheck);
            } catch (RejectedExecutionException e) {
                // closing
            }
        }, 1, 1, TimeUnit.SECONDS);
        metrics.announced("layer2", () -> mine.values().stream().flatMap(a -> a.services().stream()
                .map(s -> new SpeakerMetrics.Announced(a.ip(), node, "layer2", s.toString()))));
        this.disagreements = Counter.builder("ledgerlb_speaker_plan_disagreements")
                .description("full re-plans that found the incremental plan different (then taken)").register(metrics.registry());
        Gauge.builder("ledgerlb_speaker_ledger_sequence", () -> foldedSequence)
                .description("The last ledger sequence this speaker's follower folded").register(metrics.registry());
    }

    /**
     * Blocks until the ledger is folded to where it ended at start. A speaker joins membership
     * only then: the others hand it IPs as soon as it is eligible, and it must be able to answer.
     */
    public void awaitLedgerFolded() throws InterruptedException {
        folded.await();
    }

    /** The follower this speaker reads from (created with this speaker, or its {@link LedgerWatch}, as listener). */
    public void following(LedgerFollower follower) {
        this.follower = follower;
        requestPlan();
    }

    @Override
    public void applied(LedgerEntry entry, LedgerState state) {
        foldedSequence = entry.sequence();
        if (caughtUp) {
            trace.ifPresent(t -> t.folded(entry));
            fromLedger.add(entry);
            requestPlan();
        }
    }

    @Override
    public void caughtUp(LedgerState state) {
        foldedSequence = state.sequence();
        fromLedger.add(state.copy()); // on the follower's thread: the state holds still
        caughtUp = true;
        folded.countDown();
        log.atInfo().addKeyValue("event", "ledgerCaughtUp").addKeyValue("sequence", state.sequence())
                .log("ledger caught up");
        requestPlan();
    }

    @Override
    public void passedOver(SignedChain.PassedOver record) {
        metrics.count(SpeakerMetrics.LEDGER_PASSED_OVER);
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
        return List.copyOf(mine.values());
    }

    /** Stops planning: what is owned stays owned while the others take over (graceful shutdown). */
    public void leaving() {
        leaving = true;
    }

    private void requestPlan() {
        if (planPending.compareAndSet(false, true)) {
            try {
                planner.execute(this::plan);
            } catch (RejectedExecutionException e) {
                // closing
            }
        }
    }

    /** Runs {@code work} on the planning thread and waits for it (tests and benchmarks). */
    <T> T onPlanningThread(java.util.concurrent.Callable<T> work) throws Exception {
        return planner.submit(work).get();
    }

    Planning planning() {
        return planning;
    }

    /**
     * A slice of the full re-plan ({@link Planning#recheck}), sized so that a round over every IP
     * takes {@code fullPlanEvery}; what differs is planned again at once.
     */
    private void recheck() {
        if (!planning.hasState() || leaving || stale) {
            return;
        }
        try {
            long perSecond = Math.max(1, fullPlanEveryNanos / TimeUnit.SECONDS.toNanos(1));
            int chunk = (int) Math.max(100, (planning.ipCount() + perSecond - 1) / perSecond);
            List<String> differ = planning.recheck(chunk);
            if (!differ.isEmpty()) {
                disagreements.increment();
                log.atError().addKeyValue("event", "planDisagreement").addKeyValue("ips", differ.size() > 20 ? differ.subList(0, 20) : differ)
                        .addKeyValue("count", differ.size()).log("the incremental plan differs from a plan from scratch; planning these IPs again");
                plan();
            }
        } catch (RuntimeException e) {
            log.error("checking the plan failed", e);
        }
    }

    private void plan() {
        planPending.set(false);
        try {
            takeLedgerChanges();
            takeClusterChanges();
            if (!planning.hasState() || leaving || stale) {
                return; // what changed stays noted in the planner, and is planned once this passes
            }
            Set<String> members = eligible;
            planning.members(members);
            Planning.Delta delta = planning.plan();
            boolean memberJoined = !plannedWith.containsAll(members);
            plannedWith = members;
            applyLayer2(delta, memberJoined); // Layer 2 first, on this thread
            BgpSpeaking.Change change = bgpChange(delta);
            trace.ifPresent(t -> t.planned(takenThisPass));
            bgp.ifPresent(b -> b.changed(change));
            trace.ifPresent(t -> traced(t, change));
        } catch (RuntimeException e) {
            log.error("planning ownership failed; keeping the previous plan", e);
        }
    }

    private void traced(EntryTrace t, BgpSpeaking.Change change) {
        if (bgp.isEmpty() || change.isEmpty()) {
            t.done(planning.state().sequence(), 0, 0);
        }
        takenThisPass.clear();
    }

    /** Folds what the follower queued into the planner's own state; starts over from the follower's state on a gap. */
    private void takeLedgerChanges() {
        for (Object next; (next = fromLedger.poll()) != null; ) {
            if (next instanceof LedgerState start) {
                planning.reset(start);
            } else if (planning.hasState()) {
                try {
                    LedgerEntry entry = (LedgerEntry) next;
                    if (trace.isPresent()) {
                        trace.get().taken(entry.sequence());
                        takenThisPass.add(entry.sequence());
                    }
                    planning.apply(entry);
                } catch (LedgerSequenceException e) {
                    LedgerFollower f = follower;
                    log.atWarn().addKeyValue("event", "planningStateResync").addKeyValue("error", e.getMessage())
                            .log("the planner's state does not continue with the follower's entries; starting over from the follower's state");
                    if (f != null) {
                        planning.reset(f.withState(LedgerState::copy));
                    }
                }
            }
        }
    }

    private void takeClusterChanges() {
        cluster.ifPresent(c -> {
            if (c.takeNodesChanged()) {
                planning.nodes(c.nodes(), true);
            }
            for (ServiceKey service : c.takeChangedServices()) {
                planning.serving(service, c.servingNodes(service));
                planning.labels(service, c.labels(service));
            }
        });
    }

    private void applyLayer2(Planning.Delta delta, boolean memberJoined) {
        delta.skipped().forEach((ip, reason) -> log.atWarn().addKeyValue("event", "ipNotAnnounced").addKeyValue("ip", ip)
                .addKeyValue("reason", reason).log("ignoring an assignment the speaker cannot announce"));
        Map<ServiceKey, Optional<Set<String>>> statusChanges = new HashMap<>();
        Set<ServiceKey> servicesChanged = new HashSet<>();
        List<L2Assignment> withdrawn = new ArrayList<>();
        List<L2Assignment> taken = new ArrayList<>();
        delta.l2().forEach((ip, now) -> {
            L2Assignment before = mine.get(ip);
            L2Assignment after = now.filter(a -> a.node().equals(node)).orElse(null);
            if (before == null && after == null) {
                return;
            }
            InetAddress address = literal(ip);
            if (address == null) {
                return;
            }
            if (after == null) {
                announcer.disown(address);
                mine.remove(ip);
                withdrawn.add(before);
            } else {
                announcer.own(address, after.interfaces());
                mine.put(ip, after);
                if (before == null) {
                    announcer.announce(address);
                    taken.add(after);
                }
            }
            if (before != null) {
                servicesChanged.addAll(before.services());
            }
            if (after != null) {
                servicesChanged.addAll(after.services());
            }
        });
        logMoves(withdrawn, taken);
        if (memberJoined) {
            // a joining speaker may have taken an IP over and gone: the owners say again where the IPs are
            mine.values().forEach(a -> Optional.ofNullable(literal(a.ip())).ifPresent(announcer::announce));
        }
        if (servicesChanged.isEmpty()) {
            return;
        }
        Map<ServiceKey, String> uids = new HashMap<>();
        for (ServiceKey service : servicesChanged) {
            // the Service's IPs this node announces, found through the state rather than kept in a map of their own
            Set<String> interfaces = new TreeSet<>();
            boolean announced = false;
            for (var assignment : planning.state().assignmentsOf(service)) {
                L2Assignment ours = mine.get(assignment.getIp());
                if (ours != null && ours.services().contains(service)) {
                    announced = true;
                    interfaces.addAll(ours.interfaces());
                }
            }
            if (!announced) {
                statusChanges.put(service, Optional.empty());
            } else {
                statusChanges.put(service, Optional.of(interfaces));
                uids.put(service, planning.uid(service));
            }
        }
        status.ifPresent(w -> w.changed(statusChanges, uids));
    }

    /**
     * One line per IP taken or given up when a plan moves a few; one line per direction when it
     * moves more (a member dying or joining moves a third of all IPs: at 50,000 Services, 100,000
     * lines per speaker and move, whose allocation fed the GC pauses that caused the next move).
     */
    private static void logMoves(List<L2Assignment> withdrawn, List<L2Assignment> taken) {
        if (withdrawn.size() + taken.size() <= LOGGED_IPS) {
            withdrawn.forEach(a -> log.atInfo().addKeyValue("event", "serviceWithdrawn").addKeyValue("ip", a.ip())
                    .addKeyValue("services", a.services()).log("stopped announcing service IP"));
            taken.forEach(a -> log.atInfo().addKeyValue("event", "serviceAnnounced").addKeyValue("ip", a.ip())
                    .addKeyValue("services", a.services()).addKeyValue("interfaces", a.interfaces())
                    .log("taking over service IP, sending gratuitous announcements"));
            return;
        }
        if (!withdrawn.isEmpty()) {
            log.atInfo().addKeyValue("event", "serviceWithdrawn").addKeyValue("count", withdrawn.size())
                    .addKeyValue("ips", firstIps(withdrawn)).log("stopped announcing {} service IPs", withdrawn.size());
        }
        if (!taken.isEmpty()) {
            log.atInfo().addKeyValue("event", "serviceAnnounced").addKeyValue("count", taken.size())
                    .addKeyValue("ips", firstIps(taken))
                    .log("taking over {} service IPs, sending gratuitous announcements", taken.size());
        }
    }

    private static String firstIps(List<L2Assignment> moved) {
        String first = moved.stream().limit(LOGGED_IPS).map(L2Assignment::ip).collect(Collectors.joining(","));
        return moved.size() > LOGGED_IPS ? first + ",…" : first;
    }

    private BgpSpeaking.Change bgpChange(Planning.Delta delta) {
        Map<ServiceKey, String> uids = new HashMap<>();
        delta.bgp().values().forEach(p -> p.ifPresent(planned -> planned.services().forEach(s -> uids.put(s, planning.uid(s)))));
        return new BgpSpeaking.Change(delta.bgp(), delta.peers(), delta.problems(), uids, false, planning.state().sequence());
    }

    private static InetAddress literal(String ip) {
        try {
            return IpAddress.parseInet(ip);
        } catch (InvalidAddressException e) {
            log.warn("ignoring assignment of something that is not an IP: {}", ip);
            return null;
        }
    }

    @Override
    public void close() {
        ticks.shutdownNow();
        planner.shutdownNow();
        try {
            planner.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
