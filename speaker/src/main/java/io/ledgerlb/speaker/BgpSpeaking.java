package io.ledgerlb.speaker;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.speaker.bgp.BgpBackend;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.BgpSession;
import io.ledgerlb.speaker.bgp.announce.BgpAnnouncer;
import io.ledgerlb.speaker.bgp.announce.BgpPeerConfigs;
import io.ledgerlb.speaker.bgp.gobgp.GoBgpBackend;
import io.ledgerlb.speaker.bgp.nativ.NativeBgpBackend;
import io.ledgerlb.speaker.k8s.BgpPeerStatusWriter;
import io.ledgerlb.speaker.k8s.ServiceBGPStatus;
import io.ledgerlb.speaker.k8s.StatusWriter;
import io.ledgerlb.speaker.owner.NodeInfo;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BGP side of the speaker, kept small: one session per BGPPeer that selects this node, on the
 * backend the peer names ({@code native} by default, or {@code gobgp}), each told the
 * advertisements {@link BgpAnnouncer} plans for it. A peer whose configuration changes gets a new
 * session; a peer that no longer applies is closed. Passwords are read from their Secret here
 * (the ledger holds only the reference). A peer asking for what its backend cannot do (see
 * {@link BgpPeerConfigs#limitations}) gets no session. With a cluster, each Service announced is
 * reported in a {@link ServiceBGPStatus} naming the peers it goes to, and each BGPPeer's status
 * says whether this speaker serves it ({@link BgpPeerStatusWriter}).
 */
final class BgpSpeaking implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BgpSpeaking.class);

    private record Opened(BgpPeerConfig config, String backend, BgpSession session) {}

    private final InetAddress routerId;
    private final Optional<KubernetesClient> client;
    private final String namespace;
    private final String defaultBackend;
    private final Map<String, BgpBackend> backends = new HashMap<>();
    private final Map<String, Opened> sessions = new HashMap<>();
    private List<String> problems = List.of();
    /** Peers not served for what their backend cannot do, as last logged. */
    private final Map<String, List<String>> refused = new HashMap<>();
    private StatusWriter<ServiceBGPStatus> status;
    private BgpPeerStatusWriter peerStatus;

    /** @param namespace where the ServiceBGPStatus objects go (the speaker's own) */
    BgpSpeaking(InetAddress routerId, Optional<KubernetesClient> client, String namespace) {
        this.routerId = routerId;
        this.client = client;
        this.namespace = namespace;
        this.defaultBackend = System.getenv().getOrDefault("LEDGERLB_BGP_BACKEND", "native");
    }

    /** Brings the sessions in line with the state; called on the planning thread under the ledger's lock. */
    void apply(LedgerState state, NodeInfo node, Map<ServiceKey, Set<String>> serving) {
        BgpAnnouncer.Plan plan = BgpAnnouncer.plan(state, node, serving);
        if (!plan.problems().equals(problems)) {
            plan.problems().forEach(p -> log.atWarn().addKeyValue("event", "bgpConfigProblem").log(p));
            problems = plan.problems();
        }
        Set<String> wanted = new HashSet<>();
        Map<String, BgpPeerStatusWriter.Support> support = new TreeMap<>();
        for (BgpPeerDefined peer : BgpAnnouncer.peersFor(state, node)) {
            String backend = peer.getBackend().isEmpty() ? defaultBackend : peer.getBackend();
            List<String> limitations = BgpPeerConfigs.limitations(peer, backend);
            support.put(peer.getName(), new BgpPeerStatusWriter.Support(backend, limitations));
            if (!limitations.isEmpty()) {
                if (!limitations.equals(refused.put(peer.getName(), limitations))) {
                    log.atWarn().addKeyValue("event", "bgpPeerNotUsed").addKeyValue("peer", peer.getName())
                            .addKeyValue("backend", backend).log(String.join("; ", limitations));
                }
                continue;
            }
            refused.remove(peer.getName());
            try {
                BgpPeerConfig config = BgpPeerConfigs.fromLedger(peer, password(peer), routerId);
                Opened opened = sessions.get(peer.getName());
                if (opened == null || !opened.config().equals(config) || !opened.backend().equals(backend)) {
                    if (opened != null) {
                        opened.session().close();
                    }
                    opened = new Opened(config, backend, backend(backend).open(config, (p, from, to, reason) ->
                            log.atInfo().addKeyValue("event", "bgpSessionState").addKeyValue("peer", p.name())
                                    .addKeyValue("from", from).addKeyValue("to", to).log(reason)));
                    sessions.put(peer.getName(), opened);
                }
                opened.session().set(plan.forPeer(peer.getName()));
                wanted.add(peer.getName());
            } catch (RuntimeException e) {
                log.atWarn().addKeyValue("event", "bgpPeerNotUsed").addKeyValue("peer", peer.getName())
                        .addKeyValue("error", e.toString()).log("cannot peer with this BGPPeer");
            }
        }
        refused.keySet().retainAll(support.keySet());
        sessions.entrySet().removeIf(e -> {
            if (!wanted.contains(e.getKey())) {
                e.getValue().session().close();
                return true;
            }
            return false;
        });
        client.ifPresent(c -> {
            if (status == null) {
                status = StatusWriter.bgp(c, node.name(), namespace);
                peerStatus = new BgpPeerStatusWriter(c, node.name());
            }
            Map<ServiceKey, String> uids = new HashMap<>();
            Map<ServiceKey, Set<String>> peers = plan.peersByService(wanted);
            peers.keySet().forEach(s -> state.assignmentsOf(s).forEach(a -> uids.put(s, a.getService().getUid())));
            status.announcing(peers, uids);
            peerStatus.supports(support);
        });
    }

    /** The BGPPeers this speaker has a session with now. */
    Set<String> sessionPeers() {
        return Set.copyOf(sessions.keySet());
    }

    private BgpBackend backend(String name) {
        return backends.computeIfAbsent(name, n -> switch (n) {
            case "native" -> new NativeBgpBackend(new SimpleMeterRegistry());
            case "gobgp" -> GoBgpBackend.connect(System.getenv().getOrDefault("LEDGERLB_GOBGPD_ADDRESS", "127.0.0.1:50051"));
            default -> throw new IllegalArgumentException("unknown BGP backend '" + n + "' (native or gobgp)");
        });
    }

    private Optional<String> password(BgpPeerDefined peer) {
        if (!peer.hasPassword() || client.isEmpty()) {
            return Optional.empty();
        }
        Secret secret = client.get().secrets().inNamespace(peer.getPassword().getNamespace())
                .withName(peer.getPassword().getName()).get();
        String value = secret == null || secret.getData() == null ? null : secret.getData().get(peer.getPassword().getKey());
        if (value == null) {
            throw new IllegalArgumentException("password Secret " + peer.getPassword().getNamespace() + "/"
                    + peer.getPassword().getName() + " has no key " + peer.getPassword().getKey());
        }
        return Optional.of(new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        if (status != null) {
            status.close();
            peerStatus.close();
        }
        sessions.values().forEach(o -> o.session().close());
        sessions.clear();
        backends.values().forEach(BgpBackend::close);
    }
}
