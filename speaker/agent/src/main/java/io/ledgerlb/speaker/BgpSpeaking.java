package io.ledgerlb.speaker;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.events.v1.SecretRef;
import io.ledgerlb.kube.Conditions.Condition;
import io.ledgerlb.kube.WriteRetries;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.net.IpText;
import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpBackend;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.BgpSession;
import io.ledgerlb.speaker.bgp.SessionListener;
import io.ledgerlb.speaker.bgp.SessionState;
import io.ledgerlb.speaker.bgp.announce.BfdProfiles;
import io.ledgerlb.speaker.bgp.announce.BgpAnnouncer;
import io.ledgerlb.speaker.bgp.announce.BgpPeerConfigs;
import io.ledgerlb.speaker.bgp.announce.PeerConfigException;
import io.ledgerlb.speaker.bgp.bfd.BfdPeer;
import io.ledgerlb.speaker.bgp.gobgp.GoBgpBackend;
import io.ledgerlb.speaker.bgp.gobgp.GobgpdProcess;
import io.ledgerlb.speaker.bgp.nativ.NativeBgpBackend;
import io.ledgerlb.speaker.k8s.BgpPeerStatusWriter;
import io.ledgerlb.speaker.k8s.SecretCache;
import io.ledgerlb.speaker.k8s.ServiceBGPStatus;
import io.ledgerlb.speaker.k8s.StatusWriter;
import io.ledgerlb.speaker.owner.NodeInfo;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BGP side of the speaker, kept small: one session per BGPPeer that selects this node, on the
 * backend the peer names ({@code native} by default, or {@code gobgp}), each told the
 * advertisements {@link BgpAnnouncer} plans for it. A peer whose configuration changes gets a new
 * session; a peer that no longer applies is closed. Passwords are read from their Secret here
 * (the ledger holds only the reference).
 *
 * <p>A peer gets no session when its backend cannot serve it ({@link BgpPeerConfigs#limitations})
 * or its configuration does not resolve ({@link PeerConfigException}: a missing or unusable
 * password Secret, an address that is not one, a {@code sourceAddress} this node does not have).
 * With a cluster, the BGPPeer's conditions say so where it is the same on every node, and this
 * node's Warning Events say so, and say why a session fails, as {@link PeerWarnings} decides
 * ({@link BgpPeerStatusWriter}). While some peer is held back, the speaker plans again after a
 * growing delay ({@link WriteRetries#delayMillis}), so a Secret created later is found. Each
 * Service announced is reported in a {@link ServiceBGPStatus} naming the peers it goes to.
 */
final class BgpSpeaking implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BgpSpeaking.class);

    private record Opened(BgpPeerConfig config, Optional<BfdPeer> bfd, String backend, BgpSession session) {}

    private final InetAddress routerId;
    private final Optional<KubernetesClient> client;
    private final Runnable replan;
    private final String defaultBackend;
    private final Map<String, BgpBackend> backends = new HashMap<>();
    /** gobgpd when this speaker runs it itself (LEDGERLB_GOBGPD_BINARY), tied to this process's life. */
    private Optional<GobgpdProcess> ownGobgpd = Optional.empty();
    private List<String> problems = List.of();
    private final Map<String, Opened> sessions = new HashMap<>();
    private final PeerWarnings warnings;
    private final ScheduledExecutorService recheck;
    private final java.util.concurrent.atomic.AtomicBoolean checkScheduled = new java.util.concurrent.atomic.AtomicBoolean();
    private int checks;
    private final Optional<StatusWriter<ServiceBGPStatus>> status;
    private final Optional<BgpPeerStatusWriter> peerStatus;
    private final MeterRegistry meters;
    private final SecretCache secrets;
    /** The plan as this thread knows it: for each peer, its advertisements by prefix. */
    private final Map<String, Map<IpPrefix, BgpAnnouncer.Planned>> planned = new HashMap<>();
    /** For each Service, the peers (and how many of their advertisements) it is announced to. */
    private final Map<ServiceKey, Map<String, Integer>> serviceRefs = new HashMap<>();
    private final Map<ServiceKey, String> uids = new HashMap<>();
    private BgpAnnouncer.Peers peers = BgpAnnouncer.Peers.NONE;
    private Set<String> statusPeers = Set.of();
    private volatile EntryTrace trace;
    private final java.util.concurrent.ConcurrentLinkedQueue<Change> queued = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean drainPending = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.ExecutorService thread = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "speaker-bgp");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param routerId  the router ID of peers that give none (the node's IPv4 address)
     * @param node      this node's name
     * @param namespace where the ServiceBGPStatus objects go (the speaker's own)
     * @param replan    asks for the plan to be applied again soon (a Secret changed, a peer held back is tried
     *                  again): in the speaker {@link #recheck}
     * @param meters    where the native sessions' {@code metallb_bgp_*} meters go (the speaker's /metrics)
     */
    BgpSpeaking(InetAddress routerId, Optional<KubernetesClient> client, String node, String namespace, Runnable replan,
                MeterRegistry meters) {
        this.routerId = routerId;
        this.meters = meters;
        this.client = client;
        this.replan = replan;
        this.defaultBackend = System.getenv().getOrDefault("LEDGERLB_BGP_BACKEND", "native");
        this.warnings = new PeerWarnings(node);
        this.recheck = WriteRetries.writerThread("bgp-recheck");
        this.status = client.map(c -> StatusWriter.bgp(c, node, namespace));
        this.peerStatus = client.map(c -> new BgpPeerStatusWriter(c, node));
        this.secrets = new SecretCache(client, replan);
    }

    /**
     * What changed in the plan since the last change (or, {@code replaceAll}, the whole plan):
     * each (peer, prefix) with its new advertisement or none, this node's BGPPeers (with the BFD
     * profiles they name) and the configuration problems when they changed, and the uids of the
     * Services named.
     */
    record Change(Map<BgpAnnouncer.PeerPrefix, Optional<BgpAnnouncer.Planned>> ads, Optional<BgpAnnouncer.Peers> peers,
                  Optional<List<String>> problems, Map<ServiceKey, String> uids, boolean replaceAll, long sequence) {
        Change(Map<BgpAnnouncer.PeerPrefix, Optional<BgpAnnouncer.Planned>> ads, Optional<BgpAnnouncer.Peers> peers,
               Optional<List<String>> problems, Map<ServiceKey, String> uids, boolean replaceAll) {
            this(ads, peers, problems, uids, replaceAll, 0);
        }

        /** Whether it changes nothing the BGP thread would act on. */
        boolean isEmpty() {
            return ads.isEmpty() && peers.isEmpty() && problems.isEmpty() && !replaceAll;
        }
    }

    /** Where to note that the entries up to a change's {@code sequence} are applied (benchmarks). */
    void trace(EntryTrace trace) {
        this.trace = trace;
    }

    /** A whole plan as a change, planned from scratch (tests, and callers without a {@link io.ledgerlb.speaker.plan.Planning}). */
    static Change whole(LedgerState state, NodeInfo nodeInfo, Map<ServiceKey, Set<String>> serving) {
        BgpAnnouncer.Plan plan = BgpAnnouncer.plan(state, nodeInfo, serving);
        Map<BgpAnnouncer.PeerPrefix, Optional<BgpAnnouncer.Planned>> ads = new HashMap<>();
        Map<ServiceKey, String> uids = new HashMap<>();
        plan.byPeer().forEach((peer, planned) -> planned.forEach(p -> {
            ads.put(new BgpAnnouncer.PeerPrefix(peer, p.advertisement().prefix()), Optional.of(p));
            p.services().forEach(k -> state.assignmentsOf(k).forEach(a -> uids.put(k, a.getService().getUid())));
        }));
        return new Change(ads, Optional.of(BgpAnnouncer.peers(state, nodeInfo)), Optional.of(plan.problems()), uids, true);
    }

    /** Brings the sessions in line with the state, planned from scratch, on the caller's thread. */
    void apply(LedgerState state, NodeInfo nodeInfo, Map<ServiceKey, Set<String>> serving) {
        apply(whole(state, nodeInfo, serving));
    }

    /**
     * Hands a change to the BGP thread, which takes every change queued so far in one pass: a
     * Secret read, a session that takes seconds to close or a slow API server holds up neither
     * the ledger nor Layer 2.
     */
    void changed(Change change) {
        if (!change.isEmpty()) {
            enqueue(change);
        }
    }

    private void enqueue(Change change) {
        queued.add(change);
        if (drainPending.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    drainPending.set(false);
                    for (Change next; (next = queued.poll()) != null; ) {
                        try {
                            long taken = EntryTrace.ON ? EntryTrace.nowMicros() : 0;
                            apply(next);
                            if (trace != null && next.sequence() > 0) {
                                trace.done(next.sequence(), taken, EntryTrace.nowMicros());
                            }
                        } catch (RuntimeException e) {
                            log.error("applying the BGP plan failed; Layer 2 goes on", e);
                        }
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    /** Applies the plan it has again, on the BGP thread: a Secret changed, or a peer held back is to be tried again. */
    void recheck() {
        enqueue(new Change(Map.of(), Optional.empty(), Optional.empty(), Map.of(), false));
    }

    /** Runs on the BGP thread (for tests: waits until what was queued before is applied). */
    <T> T onBgpThread(java.util.concurrent.Callable<T> work) throws Exception {
        return thread.submit(work).get();
    }

    /**
     * Brings the sessions in line with what the ledger said; on the BGP thread (or a test's),
     * outside the ledger's lock and off the Layer 2 path. A session is told its whole set when it
     * is new (or the plan is replaced); otherwise only the prefixes that changed.
     */
    void apply(Change change) {
        Set<String> changedPeers = new HashSet<>();
        Map<String, Map<IpPrefix, Optional<Advertisement>>> peerChanges = new HashMap<>();
        Set<ServiceKey> changedServices = new HashSet<>();
        if (change.replaceAll()) {
            planned.values().forEach(ads -> ads.values().forEach(p -> changedServices.addAll(p.services())));
            changedPeers.addAll(planned.keySet());
            planned.clear();
            serviceRefs.clear();
        }
        change.uids().forEach(uids::put);
        change.ads().forEach((key, now) -> {
            Map<IpPrefix, BgpAnnouncer.Planned> ads = planned.computeIfAbsent(key.peer(), k -> new HashMap<>());
            BgpAnnouncer.Planned before = now.isPresent() ? ads.put(key.prefix(), now.get()) : ads.remove(key.prefix());
            if (ads.isEmpty()) {
                planned.remove(key.peer());
            }
            changedPeers.add(key.peer());
            peerChanges.computeIfAbsent(key.peer(), k -> new HashMap<>())
                    .put(key.prefix(), now.map(BgpAnnouncer.Planned::advertisement));
            if (before != null) {
                before.services().forEach(s -> countRef(s, key.peer(), -1));
                changedServices.addAll(before.services());
            }
            now.ifPresent(p -> {
                p.services().forEach(s -> countRef(s, key.peer(), +1));
                changedServices.addAll(p.services());
            });
        });
        change.peers().ifPresent(p -> peers = p);
        change.problems().ifPresent(now -> {
            if (!now.equals(problems)) {
                now.forEach(p -> log.atWarn().addKeyValue("event", "bgpConfigProblem").log(p));
                problems = now;
            }
        });
        Set<String> wanted = new HashSet<>();
        Map<String, List<Condition>> conditions = new TreeMap<>();
        boolean heldBack = false;
        for (BgpPeerDefined peer : peers.list()) {
            String name = peer.getName();
            String backend = peer.getBackend().isEmpty() ? defaultBackend : peer.getBackend();
            BgpPeerStatusWriter.Support support = new BgpPeerStatusWriter.Support(backend, BgpPeerConfigs.limitations(peer, backend));
            BgpPeerConfig config = null;
            Optional<BfdPeer> bfd = Optional.empty();
            PeerConfigException problem = null;
            if (peer.getUnsupportedCount() > 0) {
                // a field no backend implements (dynamicASN, interface): there is no session to resolve
                conditions.put(name, List.of(support.condition()));
                notServed(name, support.reason(), support.message());
                continue;
            }
            try {
                config = resolve(peer);
                bfd = BfdProfiles.bfdPeer(peer, config, peers.bfdProfiles());
            } catch (PeerConfigException e) {
                problem = e;
            }
            conditions.put(name, List.of(support.condition(), problem != null && problem.everyNode()
                    ? BgpPeerStatusWriter.notResolved(problem.reason(), problem.getMessage()) : BgpPeerStatusWriter.resolved()));
            heldBack |= problem != null;
            if (!support.supported()) {
                notServed(name, support.reason(), support.message());
            } else if (problem != null) {
                notServed(name, problem.reason(), problem.getMessage());
            } else {
                try {
                    Opened before = sessions.get(name);
                    BgpSession session = open(name, config, bfd, backend);
                    if (before == null || before.session() != session || change.replaceAll()) {
                        session.set(advertisements(name));
                    } else if (peerChanges.containsKey(name)) {
                        session.change(peerChanges.get(name), () -> advertisements(name)); // what changed only
                    }
                    wanted.add(name);
                    warnings.configResolved(name);
                } catch (RuntimeException e) {
                    notServed(name, "SessionNotOpened", "cannot open a BGP session: " + e.getMessage());
                    heldBack = true;
                }
            }
        }
        warnings.retain(conditions.keySet());
        sessions.entrySet().removeIf(e -> {
            if (!wanted.contains(e.getKey())) {
                e.getValue().session().close();
                warnings.sessionClosed(e.getKey());
                return true;
            }
            return false;
        });
        checkAgainLater(heldBack);
        writeStatus(wanted, changedServices, change.replaceAll());
        peerStatus.ifPresent(w -> w.conditions(conditions)); // a few peers: cheap, and their Secrets may have changed
    }

    private List<Advertisement> advertisements(String peer) {
        return planned.getOrDefault(peer, Map.of()).values().stream().map(BgpAnnouncer.Planned::advertisement).toList();
    }

    /**
     * The counts are small immutable maps, replaced on change: one peer per Service is the common
     * case, and a HashMap for each of 50,000 Services was ~10 MB of the speaker's heap.
     */
    private void countRef(ServiceKey service, String peer, int by) {
        Map<String, Integer> refs = new HashMap<>(serviceRefs.getOrDefault(service, Map.of()));
        refs.merge(peer, by, Integer::sum);
        if (refs.get(peer) <= 0) {
            refs.remove(peer);
        }
        if (refs.isEmpty()) {
            serviceRefs.remove(service);
            uids.remove(service);
        } else {
            serviceRefs.put(service, Map.copyOf(refs));
        }
    }

    /** The peers, among those with a session, that are told about the Service. */
    private Set<String> peersOf(ServiceKey service, Set<String> sessionPeers) {
        Set<String> out = new TreeSet<>(serviceRefs.getOrDefault(service, Map.of()).keySet());
        out.retainAll(sessionPeers);
        return out;
    }

    /** The status objects of the Services that changed; of all of them when the sessions changed. */
    private void writeStatus(Set<String> wanted, Set<ServiceKey> changedServices, boolean all) {
        if (status.isEmpty()) {
            return;
        }
        if (all || !wanted.equals(statusPeers)) {
            Map<ServiceKey, Set<String>> byService = new HashMap<>();
            serviceRefs.keySet().forEach(s -> {
                Set<String> to = peersOf(s, wanted);
                if (!to.isEmpty()) {
                    byService.put(s, to);
                }
            });
            status.get().announcing(byService, uids);
        } else if (!changedServices.isEmpty()) {
            Map<ServiceKey, Optional<Set<String>>> changes = new HashMap<>();
            Map<ServiceKey, String> changedUids = new HashMap<>();
            changedServices.forEach(s -> {
                Set<String> to = peersOf(s, wanted);
                changes.put(s, to.isEmpty() ? Optional.empty() : Optional.of(to));
                if (uids.containsKey(s)) {
                    changedUids.put(s, uids.get(s));
                }
            });
            status.get().changed(changes, changedUids);
        }
        statusPeers = Set.copyOf(wanted);
    }

    /** The BGPPeers this speaker has a session with now. */
    Set<String> sessionPeers() {
        return Set.copyOf(sessions.keySet());
    }

    /** The session config of this peer on this node; its password read from the Secret. */
    private BgpPeerConfig resolve(BgpPeerDefined peer) {
        Optional<String> password = peer.hasPassword() ? Optional.of(password(peer.getPassword())) : Optional.empty();
        BgpPeerConfig config = BgpPeerConfigs.fromLedger(peer, password, routerId);
        if (config.sourceAddress().isPresent() && !local(config.sourceAddress().get())) {
            throw PeerConfigException.thisNode("SourceAddressNotOnNode", "sourceAddress "
                    + IpText.of(config.sourceAddress().get()) + " is not an address of this node");
        }
        return config;
    }

    private String password(SecretRef ref) {
        return BgpPeerConfigs.password(ref, secrets.get(ref));
    }

    private static boolean local(InetAddress address) {
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return true; // cannot tell: let the session try, its failures are reported
        }
    }

    /** The peer's session for this config, opened anew when there is none or the config or backend changed. */
    private BgpSession open(String name, BgpPeerConfig config, Optional<BfdPeer> bfd, String backend) {
        Opened opened = sessions.get(name);
        if (opened != null && opened.config().equals(config) && opened.bfd().equals(bfd) && opened.backend().equals(backend)) {
            return opened.session();
        }
        if (opened != null) {
            // the router has one neighbor per address: the new session comes up only once this one
            // is gone; a backend switch hands over, which keeps the paths there under graceful restart
            if (opened.backend().equals(backend)) {
                opened.session().close();
            } else {
                opened.session().handOver();
            }
            sessions.remove(name);
        }
        int session = warnings.sessionOpened(name);
        SessionListener listener = new SessionListener() {
            @Override
            public void stateChanged(BgpPeerConfig peer, SessionState from, SessionState to, String reason) {
                log.atInfo().addKeyValue("event", "bgpSessionState").addKeyValue("peer", peer.name())
                        .addKeyValue("from", from).addKeyValue("to", to).log(reason);
                if (to.up()) {
                    warnings.established(name, session);
                }
            }

            @Override
            public void failed(BgpPeerConfig peer, boolean wasEstablished, String cause) {
                warnings.sessionFailed(name, session, wasEstablished, "to " + IpText.of(peer.peerAddress()) + ":"
                        + peer.peerPort() + " (AS " + peer.peerAsn() + "): " + cause).ifPresent(BgpSpeaking.this::warn);
            }
        };
        // BFD only on the native backend (BgpPeerConfigs.limitations keeps a gobgp peer with a profile out)
        BgpSession opening = bfd.isPresent()
                ? ((NativeBgpBackend) backend(backend)).open(config, listener, bfd.get())
                : backend(backend).open(config, listener);
        sessions.put(name, new Opened(config, bfd, backend, opening));
        return opening;
    }

    private void notServed(String peer, String reason, String message) {
        warnings.configProblem(peer, reason, message).ifPresent(this::warn);
    }

    private void warn(PeerWarnings.Warning w) {
        log.atWarn().addKeyValue("event", "bgpPeerWarning").addKeyValue("peer", w.peer())
                .addKeyValue("reason", w.reason()).log(w.message());
        peerStatus.ifPresent(s -> s.warn(w.peer(), w.reason(), w.message()));
    }

    /** While a peer is held back by what may change outside the ledger (its Secret, this node), plan again later. */
    private void checkAgainLater(boolean heldBack) {
        if (!heldBack) {
            checks = 0;
            return;
        }
        // cleared before replanning: a plan quicker than the scheduled task's completion still schedules the next check
        if (checkScheduled.compareAndSet(false, true)) {
            recheck.schedule(() -> {
                checkScheduled.set(false);
                replan.run();
            }, WriteRetries.delayMillis(++checks), TimeUnit.MILLISECONDS);
        }
    }

    private BgpBackend backend(String name) {
        return backends.computeIfAbsent(name, n -> switch (n) {
            case "native" -> new NativeBgpBackend(meters);
            case "gobgp" -> GoBgpBackend.connect(gobgpdAddress());
            default -> throw new IllegalArgumentException("unknown BGP backend '" + n + "' (native or gobgp)");
        });
    }

    /**
     * gobgpd's API address: {@code LEDGERLB_GOBGPD_ADDRESS} (default 127.0.0.1:50051, the sidecar's).
     * With {@code LEDGERLB_GOBGPD_BINARY} the speaker starts that gobgpd itself, so that it dies
     * with the speaker ({@link GobgpdProcess}); its API then defaults to a unix socket of its own.
     */
    private String gobgpdAddress() {
        String binary = System.getenv("LEDGERLB_GOBGPD_BINARY");
        if (binary == null || binary.isBlank()) {
            return System.getenv().getOrDefault("LEDGERLB_GOBGPD_ADDRESS", "127.0.0.1:50051");
        }
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        String address = System.getenv().getOrDefault("LEDGERLB_GOBGPD_ADDRESS",
                "unix://" + dir.resolve("ledgerlb-gobgpd-" + ProcessHandle.current().pid() + ".sock"));
        try {
            ownGobgpd = Optional.of(GobgpdProcess.start(Path.of(binary), address, dir.resolve("ledgerlb-gobgpd.log")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return address;
    }

    @Override
    public void close() {
        thread.shutdownNow();
        recheck.shutdownNow();
        secrets.close();
        sessions.values().forEach(o -> o.session().close());
        sessions.clear();
        backends.values().forEach(BgpBackend::close);
        ownGobgpd.ifPresent(GobgpdProcess::close);
        status.ifPresent(StatusWriter::close);
        peerStatus.ifPresent(BgpPeerStatusWriter::close);
    }
}
