package io.ledgerlb.speaker;

import io.ledgerlb.speaker.bgp.IpText;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.ledgerlb.events.v1.BfdProfileDefined;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.events.v1.SecretRef;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
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
import io.ledgerlb.speaker.k8s.ServiceBGPStatus;
import io.ledgerlb.speaker.k8s.StatusWriter;
import io.ledgerlb.speaker.k8s.WriteRetries;
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
import java.util.function.Function;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
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
    private final Map<String, Opened> sessions = new HashMap<>();
    private final PeerWarnings warnings;
    private final ScheduledExecutorService recheck;
    private ScheduledFuture<?> nextCheck;
    private int checks;
    private List<String> problems = List.of();
    private final Optional<StatusWriter<ServiceBGPStatus>> status;
    private final Optional<BgpPeerStatusWriter> peerStatus;
    private final MeterRegistry meters;

    /**
     * @param routerId  the router ID of peers that give none (the node's IPv4 address)
     * @param node      this node's name
     * @param namespace where the ServiceBGPStatus objects go (the speaker's own)
     * @param replan    asks for {@link #apply} to be called again soon (on the planning thread)
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
    }

    /**
     * What {@link #apply(Input)} needs from the ledger, read under its lock (pure and quick), so the
     * sessions are brought in line outside it: the plan, the BGPPeers for this node and the UIDs of
     * the Services planned.
     */
    record Input(BgpAnnouncer.Plan plan, List<BgpPeerDefined> peers, Map<ServiceKey, String> uids,
                 Map<String, BfdProfileDefined> bfdProfiles) {}

    static Input input(LedgerState state, NodeInfo nodeInfo, Map<ServiceKey, Set<String>> serving) {
        return input(state, nodeInfo, serving, service -> Map.of());
    }

    /** @param serviceLabels each Service's labels, for the advertisements' serviceSelectors */
    static Input input(LedgerState state, NodeInfo nodeInfo, Map<ServiceKey, Set<String>> serving,
                       Function<ServiceKey, Map<String, String>> serviceLabels) {
        BgpAnnouncer.Plan plan = BgpAnnouncer.plan(state, nodeInfo, serving, serviceLabels);
        Map<ServiceKey, String> uids = new HashMap<>();
        plan.peersByService(plan.byPeer().keySet()).keySet()
                .forEach(k -> state.assignmentsOf(k).forEach(a -> uids.put(k, a.getService().getUid())));
        return new Input(plan, BgpAnnouncer.peersFor(state, nodeInfo), uids, Map.copyOf(state.bfdProfiles()));
    }

    /** Brings the sessions in line with the state (reads it, then applies; the caller holds it still). */
    void apply(LedgerState state, NodeInfo nodeInfo, Map<ServiceKey, Set<String>> serving) {
        apply(input(state, nodeInfo, serving));
    }

    /**
     * Brings the sessions in line with what the ledger said; on the speaker's BGP thread, outside
     * the ledger's lock and off the Layer 2 path: reading a password Secret or closing a session
     * may take seconds.
     */
    void apply(Input input) {
        BgpAnnouncer.Plan plan = input.plan();
        if (!plan.problems().equals(problems)) {
            plan.problems().forEach(p -> log.atWarn().addKeyValue("event", "bgpConfigProblem").log(p));
            problems = plan.problems();
        }
        Set<String> wanted = new HashSet<>();
        Map<String, List<BgpPeerStatusWriter.Condition>> conditions = new TreeMap<>();
        boolean heldBack = false;
        for (BgpPeerDefined peer : input.peers()) {
            String name = peer.getName();
            String backend = peer.getBackend().isEmpty() ? defaultBackend : peer.getBackend();
            BgpPeerStatusWriter.Support support = new BgpPeerStatusWriter.Support(backend, BgpPeerConfigs.limitations(peer, backend));
            BgpPeerConfig config = null;
            Optional<BfdPeer> bfd = Optional.empty();
            PeerConfigException problem = null;
            try {
                config = resolve(peer);
                bfd = BfdProfiles.bfdPeer(peer, config, input.bfdProfiles());
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
                    open(name, config, bfd, backend).set(plan.forPeer(name));
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
        status.ifPresent(s -> s.announcing(plan.peersByService(wanted), input.uids()));
        peerStatus.ifPresent(w -> w.conditions(conditions));
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
        if (client.isEmpty()) {
            throw PeerConfigException.thisNode("PasswordSecretUnreadable", "the speaker runs without Kubernetes"
                    + " and cannot read the password Secret " + ref.getNamespace() + "/" + ref.getName());
        }
        Secret secret;
        try {
            secret = client.get().secrets().inNamespace(ref.getNamespace()).withName(ref.getName()).get();
        } catch (KubernetesClientException e) {
            throw PeerConfigException.thisNode("PasswordSecretUnreadable", "cannot read the password Secret "
                    + ref.getNamespace() + "/" + ref.getName() + ": " + e.getMessage());
        }
        return BgpPeerConfigs.password(ref, secret);
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
        if (nextCheck == null || nextCheck.isDone()) {
            nextCheck = recheck.schedule(replan, WriteRetries.delayMillis(++checks), TimeUnit.MILLISECONDS);
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
        recheck.shutdownNow();
        sessions.values().forEach(o -> o.session().close());
        sessions.clear();
        backends.values().forEach(BgpBackend::close);
        ownGobgpd.ifPresent(GobgpdProcess::close);
        status.ifPresent(StatusWriter::close);
        peerStatus.ifPresent(BgpPeerStatusWriter::close);
    }
}
