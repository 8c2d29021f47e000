package io.ledgerlb.speaker.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells users, on the BGPPeer itself, whether the speaker's BGP backend can serve it: a condition
 * of type {@value #CONDITION} (True, or False with the reason and what to do) next to the
 * allocator's {@code Valid}, and a Warning Event on the BGPPeer when this speaker turns it False.
 * Conditions of other types are kept as they are (merged by type; the write carries the
 * resourceVersion it read, and is read again and retried on a conflict). Every speaker says the
 * same about a peer, so the first one writes and the others find it written. Runs on a thread of
 * its own; a write the API refuses is tried again per peer with a growing delay
 * ({@link WriteRetries}), writing what is wanted by then; a BGPPeer deleted meanwhile is left alone.
 */
public final class BgpPeerStatusWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BgpPeerStatusWriter.class);
    public static final String CONDITION = "Supported";
    public static final ResourceDefinitionContext BGP_PEER = new ResourceDefinitionContext.Builder()
            .withGroup("metallb.io").withVersion("v1beta2").withKind("BGPPeer").withPlural("bgppeers")
            .withNamespaced(true).build();

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

        boolean supported() {
            return limitations.isEmpty();
        }

        String reason() {
            return supported() ? "Supported" : "UnsupportedBy" + (backend.equals("gobgp") ? "GoBGP" : "Native") + "Backend";
        }

        String message() {
            return supported() ? "the " + backend + " BGP backend serves this peer"
                    : "the " + backend + " BGP backend cannot serve this peer, no session is opened: "
                    + String.join("; ", limitations);
        }
    }

    private final KubernetesClient client;
    private final String node;
    private final ScheduledExecutorService thread;
    private final WriteRetries<String> retries;
    /** BGPPeer name → what was last found or written on it. */
    private final Map<String, Support> written = new HashMap<>();
    /** BGPPeer name → what this speaker can do for it now. */
    private final Map<String, Support> wanted = new HashMap<>();

    public BgpPeerStatusWriter(KubernetesClient client, String node) {
        this.client = client;
        this.node = node;
        this.thread = WriteRetries.writerThread("bgppeer-status-writer");
        this.retries = new WriteRetries<>(thread);
    }

    /** What this speaker can do for each BGPPeer that selects its node; writes what changed, in the background. */
    public void supports(Map<String, Support> byPeer) {
        Map<String, Support> now = Map.copyOf(byPeer);
        thread.execute(() -> {
            wanted.clear();
            wanted.putAll(now);
            written.keySet().retainAll(now.keySet());
            sync(now.keySet());
        });
    }

    /** Writes what is wanted now on those of {@code peers} whose condition changed; a refused write is tried again later. */
    private void sync(Set<String> peers) {
        Map<String, Support> changed = new TreeMap<>();
        peers.stream().filter(wanted::containsKey).filter(p -> !wanted.get(p).equals(written.get(p)))
                .forEach(p -> changed.put(p, wanted.get(p)));
        peers.stream().filter(p -> !changed.containsKey(p)).forEach(retries::done); // nothing left to write on these
        if (changed.isEmpty()) {
            return;
        }
        List<GenericKubernetesResource> objects;
        try {
            objects = client.genericKubernetesResources(BGP_PEER).inAnyNamespace().list().getItems();
        } catch (KubernetesClientException e) {
            changed.keySet().forEach(peer -> notWritten(peer, e, retries.failed(peer, this::retry)));
            return;
        }
        changed.forEach((peer, support) -> {
            try {
                for (GenericKubernetesResource object : objects) {
                    if (peer.equals(object.getMetadata().getName())) {
                        write(object, support);
                    }
                }
                written.put(peer, support);
                retries.done(peer);
            } catch (KubernetesClientException e) {
                if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                    written.put(peer, support); // the BGPPeer was deleted meanwhile: nothing to show it on
                    retries.done(peer);
                } else {
                    notWritten(peer, e, retries.failed(peer, this::retry));
                }
            }
        });
    }

    private void retry(String peer) {
        sync(Set.of(peer));
    }

    private void notWritten(String peer, KubernetesClientException e, long retryMillis) {
        log.atWarn().addKeyValue("event", "statusNotWritten").addKeyValue("kind", "BGPPeer").addKeyValue("peer", peer)
                .addKeyValue("retryMillis", retryMillis).addKeyValue("error", e.getMessage())
                .log("could not write a BGPPeer's status; will retry");
    }

    private void write(GenericKubernetesResource object, Support support) {
        for (int attempt = 1; ; attempt++) {
            Map<String, Object> status = statusOf(object);
            List<Map<String, Object>> conditions = conditionsOf(status);
            Map<String, Object> current = conditions.stream().filter(c -> CONDITION.equals(c.get("type"))).findFirst().orElse(null);
            Map<String, Object> wanted = condition(support, current, object.getMetadata().getGeneration());
            if (current != null && Objects.equals(current.get("status"), wanted.get("status"))
                    && Objects.equals(current.get("reason"), wanted.get("reason"))
                    && Objects.equals(current.get("message"), wanted.get("message"))) {
                return;
            }
            List<Map<String, Object>> merged = new ArrayList<>();
            conditions.forEach(c -> merged.add(c == current ? wanted : c));
            if (current == null) {
                merged.add(wanted);
            }
            status.put("conditions", merged);
            object.setAdditionalProperty("status", status);
            try {
                client.genericKubernetesResources(BGP_PEER).inNamespace(object.getMetadata().getNamespace())
                        .resource(object).updateStatus();
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == 3) {
                    throw e;
                }
                object = client.genericKubernetesResources(BGP_PEER).inNamespace(object.getMetadata().getNamespace())
                        .withName(object.getMetadata().getName()).get();
                if (object == null) {
                    return;
                }
                continue;
            }
            log.atInfo().addKeyValue("event", "bgpPeerSupport").addKeyValue("peer", object.getMetadata().getName())
                    .addKeyValue("supported", support.supported()).log(support.message());
            if (!support.supported()) {
                warn(object, support);
            }
            return;
        }
    }

    private static Map<String, Object> condition(Support support, Map<String, Object> current, Long generation) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", CONDITION);
        c.put("status", support.supported() ? "True" : "False");
        c.put("reason", support.reason());
        c.put("message", support.message());
        if (generation != null) {
            c.put("observedGeneration", generation);
        }
        boolean sameStatus = current != null && c.get("status").equals(current.get("status")) && current.get("lastTransitionTime") != null;
        c.put("lastTransitionTime", sameStatus ? current.get("lastTransitionTime")
                : Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        return c;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> statusOf(GenericKubernetesResource object) {
        Object status = object.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> conditionsOf(Map<String, Object> status) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (status.get("conditions") instanceof List<?> list) {
            list.stream().filter(Map.class::isInstance).forEach(c -> out.add((Map<String, Object>) c));
        }
        return out;
    }

    private void warn(GenericKubernetesResource peer, Support support) {
        SpeakerEvents.record(client, node, new ObjectReferenceBuilder().withApiVersion(peer.getApiVersion()).withKind("BGPPeer")
                        .withNamespace(peer.getMetadata().getNamespace()).withName(peer.getMetadata().getName())
                        .withUid(peer.getMetadata().getUid()).build(),
                "Warning", support.reason(), support.message());
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
