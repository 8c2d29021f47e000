package io.ledgerlb.speaker.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.ledgerlb.kube.Conditions;
import io.ledgerlb.kube.Conditions.Condition;
import io.ledgerlb.kube.EventRecorder;
import io.ledgerlb.kube.EventRecorder.Note;
import io.ledgerlb.kube.RetryingWriter;
import io.ledgerlb.kube.WriteRetries;
import java.net.HttpURLConnection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells users, on the BGPPeer itself, what the speakers make of it, next to the allocator's
 * {@code Valid} (conditions of other types are kept as they are):
 * <ul>
 * <li>{@value #SUPPORTED}: whether the peer's BGP backend can serve it (False: what it cannot do,
 *     and what to do instead);</li>
 * <li>{@value #RESOLVED}: whether the BGPPeer resolves into a session configuration: its addresses
 *     are IP addresses, its router ID a non-zero IPv4 address, its password Secret exists, is of
 *     type {@code kubernetes.io/basic-auth} and holds the key (False: which of these, and why).</li>
 * </ul>
 * and Warning Events on the BGPPeer from this node ({@link #warn}).
 *
 * <p>Several speakers write the same BGPPeer; they do not fight because a condition says only what
 * every speaker finds alike: it depends on the BGPPeer, its backend and its Secret, never on the
 * node (its message names no node). What concerns one node alone (a {@code sourceAddress} it does
 * not have, a session that fails there) goes into an Event naming the node, never into a condition.
 * A speaker writes only when what it finds changed, merging by type into a fresh read that carries
 * the resourceVersion (a conflict is read again and retried; {@link Conditions}, as the allocator
 * writes its {@code Valid}), and finds the condition already
 * written when another speaker was first. While their views differ (a Secret just created, read by
 * one speaker and not yet by another) each writes its own change once, so the condition ends as
 * the last one to look found it, which is what they all find once they agree.
 *
 * <p>Writes by BGPPeer name through a {@link RetryingWriter} on a thread of its own, as the speaker's
 * other status objects and the allocator's Services are written: writes of a peer coalesce, one the
 * API refuses is tried again with a growing delay, writing what is wanted by then; a BGPPeer
 * deleted meanwhile is left alone. Events are retried the same way ({@link SpeakerEvents}).
 */
public final class BgpPeerStatusWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BgpPeerStatusWriter.class);
    public static final String SUPPORTED = "Supported";
    public static final String RESOLVED = "Resolved";
    public static final ResourceDefinitionContext BGP_PEER = new ResourceDefinitionContext.Builder()
            .withGroup("metallb.io").withVersion("v1beta2").withKind("BGPPeer").withPlural("bgppeers")
            .withNamespaced(true).build();

    /** {@value #RESOLVED}=True. */
    public static Condition resolved() {
        return new Condition(RESOLVED, true, "Resolved", "the BGPPeer and its password Secret (if any) give a session configuration");
    }

    /** {@value #RESOLVED}=False: {@code reason} and {@code message} as every speaker finds them. */
    public static Condition notResolved(String reason, String message) {
        return new Condition(RESOLVED, false, reason, message + "; no node peers with this BGPPeer until it is fixed");
    }

    /**
     * What this speaker can do for one BGPPeer.
     *
     * @param backend     the backend the peer asks for ({@code native} or {@code gobgp})
     * @param limitations what that backend cannot do for it; empty: the speaker peers with it
     */
    public record Support(String backend, List<String> limitations) {
        public Support {
            limitations = List.copyOf(limitations);
        }

        public boolean supported() {
            return limitations.isEmpty();
        }

        public String reason() {
            return supported() ? "Supported" : "UnsupportedBy" + (backend.equals("gobgp") ? "GoBGP" : "Native") + "Backend";
        }

        public String message() {
            return supported() ? "the " + backend + " BGP backend serves this peer"
                    : "the " + backend + " BGP backend cannot serve this peer, no session is opened: "
                    + String.join("; ", limitations);
        }

        public Condition condition() {
            return new Condition(SUPPORTED, supported(), reason(), message());
        }
    }

    private final KubernetesClient client;
    private final ScheduledExecutorService thread;
    private final RetryingWriter<String> writer;
    private final EventRecorder events;
    /** BGPPeer name → the conditions last found or written on it (touched on {@link #thread} only). */
    private final Map<String, List<Condition>> written = new HashMap<>();
    /** BGPPeer name → the conditions this speaker finds now (touched on {@link #thread} only). */
    private final Map<String, List<Condition>> wanted = new HashMap<>();

    public BgpPeerStatusWriter(KubernetesClient client, String node) {
        this.client = client;
        this.thread = WriteRetries.writerThread("bgppeer-status-writer");
        this.writer = new RetryingWriter<>(thread, "BGPPeer", peer -> peer, this::sync);
        this.events = SpeakerEvents.recorder(client, node);
    }

    /** The conditions this speaker finds for each BGPPeer that selects its node; writes what changed, in the background. */
    public void conditions(Map<String, List<Condition>> byPeer) {
        Map<String, List<Condition>> now = Map.copyOf(byPeer);
        thread.execute(() -> {
            wanted.clear();
            now.forEach((peer, conditions) -> wanted.put(peer, List.copyOf(conditions)));
            written.keySet().retainAll(now.keySet());
            new TreeSet<>(now.keySet()).stream().filter(this::changed).forEach(writer::submit);
        });
    }

    /** A Warning Event on the BGPPeer(s) of this name, from this node; in the background, retried when refused. */
    public void warn(String peer, String reason, String message) {
        events.record("warning/" + peer + "/" + reason + "/" + message, () -> references(peer), Note.warning(reason, message));
    }

    private List<ObjectReference> references(String peer) {
        return named(peer).stream()
                .map(o -> new ObjectReferenceBuilder().withApiVersion(o.getApiVersion()).withKind("BGPPeer")
                        .withNamespace(o.getMetadata().getNamespace()).withName(o.getMetadata().getName())
                        .withUid(o.getMetadata().getUid()).build())
                .toList();
    }

    /** The BGPPeers of this name, in every namespace (the ledger knows a peer by its name). */
    private List<GenericKubernetesResource> named(String peer) {
        return client.genericKubernetesResources(BGP_PEER).inAnyNamespace().withField("metadata.name", peer).list().getItems();
    }

    private boolean changed(String peer) {
        return wanted.containsKey(peer) && !wanted.get(peer).equals(written.get(peer));
    }

    /**
     * Writes what is wanted now on the BGPPeers of this name, if it changed. A refusal is thrown to
     * the {@link RetryingWriter}, which calls this again later; a BGPPeer deleted meanwhile is left alone.
     */
    private void sync(String peer) {
        if (!changed(peer)) {
            return;
        }
        List<Condition> conditions = wanted.get(peer);
        for (GenericKubernetesResource object : named(peer)) {
            try {
                write(object, conditions);
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
                    throw e;
                }
            }
        }
        written.put(peer, conditions);
    }

    private void write(GenericKubernetesResource object, List<Condition> conditions) {
        Long generation = object.getMetadata().getGeneration();
        GenericKubernetesResource written = Conditions.writeStatus(
                client.genericKubernetesResources(BGP_PEER).inNamespace(object.getMetadata().getNamespace()),
                object.getMetadata().getName(), object, status -> {
                    List<Map<String, Object>> merged = Conditions.merged(status, conditions, generation);
                    if (merged == null) {
                        return null;
                    }
                    status.put("conditions", merged);
                    return status;
                });
        if (written == null) {
            return;
        }
        for (Condition c : conditions) {
            log.atInfo().addKeyValue("event", "bgpPeerCondition").addKeyValue("peer", object.getMetadata().getName())
                    .addKeyValue("type", c.type()).addKeyValue("status", c.status()).addKeyValue("reason", c.reason())
                    .log(c.message());
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        events.close();
    }
}
