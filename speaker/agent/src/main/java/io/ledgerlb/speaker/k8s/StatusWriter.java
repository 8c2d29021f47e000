package io.ledgerlb.speaker.k8s;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.ledgerlb.kube.EventRecorder;
import io.ledgerlb.kube.EventRecorder.Note;
import io.ledgerlb.kube.RetryingWriter;
import io.ledgerlb.kube.WriteRetries;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.speaker.owner.L2Assignment;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * Tells users which node announces a Service: one status object per Service this node announces
 * ({@link ServiceL2Status} for Layer 2, {@link ServiceBGPStatus} for BGP; removed when it stops),
 * in the speaker's own namespace as MetalLB keeps them (labels name the Service), and a
 * {@code nodeAssigned} Event on the Service when it starts (retried on its own, {@link SpeakerEvents}).
 * What an object says besides node and Service is a set of names ("details"): interfaces for
 * Layer 2, BGPPeers for BGP. Runs on a thread of its own so that the API server never slows
 * announcing down; a write the API refuses is tried again per object with a growing delay
 * ({@link RetryingWriter}, as the allocator writes Services), writing what is wanted by then.
 */
public final class StatusWriter<T extends CustomResource<Void, ? extends ServiceStatusFields>> implements AutoCloseable {

    /** What differs between the kinds: the type, the object name's prefix, the protocol the event names, the details. */
    private record Kind<T>(Class<T> type, String namePrefix, String protocol,
                           Function<Set<String>, T> withDetails, Function<T, Set<String>> details) {}

    /** What one status object should say: the Service, its details, and its uid for the event. */
    private record Wanted(ServiceKey service, Set<String> details, String uid) {}

    /** The retry key of listing what this node wrote before (object keys are namespace/name). */
    private static final String LISTING = "(list)";

    private final KubernetesClient client;
    private final String node;
    private final String namespace;
    private final Kind<T> kind;
    private final ScheduledExecutorService thread;
    private final RetryingWriter<String> writer;
    private final EventRecorder events;
    /** Status object namespace/name → what it says, as written. */
    private final Map<String, T> written = new HashMap<>();
    /** Status object namespace/name → what it should say now. */
    private final Map<String, Wanted> wanted = new HashMap<>();
    private boolean listed;
    /** What {@link #announcing} and {@link #changed} were told since the writer thread last took it. */
    private final Pending pending = new Pending();
    /** Object names of the Services announced, as {@link #name} makes them (a hash each). */
    private final Map<ServiceKey, String> names = new HashMap<>();

    /** Changes not written yet; {@code all}: they replace everything wanted before. Guarded by itself. */
    private static final class Pending {
        final Map<ServiceKey, Optional<Set<String>>> changes = new HashMap<>();
        final Map<ServiceKey, String> uids = new HashMap<>();
        boolean all;
        boolean scheduled;
    }

    private StatusWriter(KubernetesClient client, String node, String namespace, Kind<T> kind) {
        this.client = client;
        this.node = node;
        this.namespace = namespace;
        this.kind = kind;
        this.thread = WriteRetries.writerThread(kind.protocol() + "-status-writer");
        this.writer = new RetryingWriter<>(thread, kind.type().getSimpleName(), key -> key, this::write);
        this.events = SpeakerEvents.recorder(client, node);
    }

    /** Writes {@link ServiceL2Status} into {@code namespace} (the speaker's); the details are the interfaces. */
    public static StatusWriter<ServiceL2Status> layer2(KubernetesClient client, String node, String namespace) {
        return new StatusWriter<>(client, node, namespace, new Kind<>(ServiceL2Status.class, "l2-", "layer2", interfaces -> {
            ServiceL2Status s = new ServiceL2Status();
            s.setStatus(new ServiceL2Status.Status());
            interfaces.forEach(i -> s.getStatus().getInterfaces().add(new ServiceL2Status.InterfaceInfo(i)));
            return s;
        }, s -> {
            Set<String> out = new TreeSet<>();
            if (s.getStatus().getInterfaces() != null) {
                s.getStatus().getInterfaces().forEach(i -> out.add(i.getName()));
            }
            return out;
        }));
    }

    /** Writes {@link ServiceBGPStatus} into {@code namespace} (the speaker's); the details are the BGPPeers. */
    public static StatusWriter<ServiceBGPStatus> bgp(KubernetesClient client, String node, String namespace) {
        return new StatusWriter<>(client, node, namespace, new Kind<>(ServiceBGPStatus.class, "bgp-", "bgp", peers -> {
            ServiceBGPStatus s = new ServiceBGPStatus();
            s.setStatus(new ServiceBGPStatus.Status());
            s.getStatus().getPeers().addAll(peers);
            return s;
        }, s -> s.getStatus().getPeers() == null ? Set.of() : new TreeSet<>(s.getStatus().getPeers())));
    }

    /** Layer 2's details: each Service's interfaces, united over its IPs. */
    public static Map<ServiceKey, Set<String>> interfacesByService(List<L2Assignment> mine) {
        Map<ServiceKey, Set<String>> out = new HashMap<>();
        for (L2Assignment a : mine) {
            a.services().forEach(s -> out.computeIfAbsent(s, k -> new TreeSet<>()).addAll(a.interfaces()));
        }
        return out;
    }

    /**
     * The Services this node announces now, with their details; writes what changed, in the
     * background. Calls made while a write is waiting replace what it will write: a burst of plans
     * costs one pass over the Services, not one per plan.
     */
    public void announcing(Map<ServiceKey, Set<String>> detailsByService, Map<ServiceKey, String> serviceUids) {
        Map<ServiceKey, Optional<Set<String>>> all = new HashMap<>();
        detailsByService.forEach((k, v) -> all.put(k, Optional.of(Set.copyOf(v))));
        take(all, serviceUids, true);
    }

    /**
     * Only these Services changed: each with its details now, or empty when this node no longer
     * announces it. Writes only their objects (a plan that touched one Service costs one).
     */
    public void changed(Map<ServiceKey, Optional<Set<String>>> changes, Map<ServiceKey, String> serviceUids) {
        take(changes, serviceUids, false);
    }

    private void take(Map<ServiceKey, Optional<Set<String>>> changes, Map<ServiceKey, String> serviceUids, boolean all) {
        boolean first;
        synchronized (pending) {
            if (all) {
                pending.changes.clear();
                pending.all = true;
            }
            pending.changes.putAll(changes);
            pending.uids.putAll(serviceUids);
            first = !pending.scheduled;
            pending.scheduled = true;
        }
        if (first) {
            thread.execute(this::reconcile);
        }
    }

    private void reconcile() {
        Map<ServiceKey, Optional<Set<String>>> changes;
        Map<ServiceKey, String> serviceUids;
        boolean all;
        synchronized (pending) {
            changes = new HashMap<>(pending.changes);
            serviceUids = new HashMap<>(pending.uids);
            all = pending.all;
            pending.changes.clear();
            pending.uids.clear();
            pending.all = false;
            pending.scheduled = false;
        }
        if (all) {
            wanted.clear();
            names.keySet().retainAll(changes.keySet());
        }
        Set<String> keys = new TreeSet<>();
        changes.forEach((service, details) -> {
            String key = namespace + "/" + names.computeIfAbsent(service, this::name);
            keys.add(key);
            if (details.isPresent()) {
                wanted.put(key, new Wanted(service, details.get(), serviceUids.get(service)));
            } else {
                wanted.remove(key);
                names.remove(service);
            }
        });
        if (all || !listed) {
            writer.writeNow(LISTING);
        } else {
            keys.forEach(writer::writeNow);
        }
    }

    /** What {@link #writer} writes: the listing (and then every object), or one object. */
    private void write(String key) {
        if (LISTING.equals(key)) {
            syncAll();
        } else {
            sync(key);
        }
    }

    private void syncAll() {
        if (!listed) {
            client.resources(kind.type()).inNamespace(namespace)
                    .withLabel(ServiceL2Status.NODE_LABEL, node).list().getItems()
                    .forEach(s -> written.put(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName(), s));
            listed = true;
        }
        Set<String> keys = new TreeSet<>(written.keySet());
        keys.addAll(wanted.keySet());
        keys.forEach(writer::writeNow);
    }

    /** Makes one status object what is wanted now; a refusal is thrown to {@link #writer}, which tries again later. */
    private void sync(String key) {
        Wanted want = wanted.get(key);
        T old = written.get(key);
        try {
            if (want == null) {
                if (old != null) {
                    client.resource(old).delete();
                    written.remove(key);
                }
            } else if (old == null || old.getStatus() == null || !kind.details().apply(old).equals(want.details())) {
                T object = status(want.service(), want.details());
                T stored = client.resource(object).createOr(existing -> existing.update());
                object.getMetadata().setResourceVersion(stored.getMetadata().getResourceVersion());
                client.resource(object).updateStatus();
                written.put(key, object);
                if (old == null) {
                    nodeAssigned(key, want.service(), want.uid());
                }
            }
        } catch (KubernetesClientException e) {
            if (want == null && e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                written.remove(key); // already gone
                return;
            }
            throw e;
        }
    }

    T status(ServiceKey service, Set<String> details) {
        T s = kind.withDetails().apply(new TreeSet<>(details));
        s.setMetadata(new ObjectMetaBuilder()
                .withNamespace(namespace)
                .withName(name(service))
                .withLabels(Map.of(ServiceL2Status.NODE_LABEL, node,
                        ServiceL2Status.SERVICE_NAME_LABEL, service.name(),
                        ServiceL2Status.SERVICE_NAMESPACE_LABEL, service.namespace()))
                .build());
        s.getStatus().setNode(node);
        s.getStatus().setServiceName(service.name());
        s.getStatus().setServiceNamespace(service.namespace());
        return s;
    }

    /** The kind's prefix and a hash of Service and node: stable, short, a valid object name. */
    String name(ServiceKey service) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(
                    (service.namespace() + "/" + service.name() + "@" + node).getBytes(StandardCharsets.UTF_8));
            return kind.namePrefix() + HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A Warning Event on this speaker's Node: the ledger follower passed over a record it will
     * never apply (forged, replayed, reordered, unsigned). One key per record, so none replaces another.
     */
    public void ledgerRecordPassedOver(long sequence, long offset, String reason) {
        events.record("ledger-passed-over-" + offset, new ObjectReferenceBuilder().withApiVersion("v1")
                        .withKind("Node").withName(node).build(),
                Note.warning("LedgerRecordPassedOver", "the ledger follower passed over the record at sequence " + sequence
                        + (offset >= 0 ? " (offset " + offset + ")" : "") + " and never applies it: " + reason));
    }

    /** Recorded apart from the status object, so that a refused Event is retried on its own (the object is already written). */
    private void nodeAssigned(String key, ServiceKey service, String uid) {
        events.record(key, new ObjectReferenceBuilder().withApiVersion("v1").withKind("Service")
                        .withNamespace(service.namespace()).withName(service.name()).withUid(uid).build(),
                Note.normal("nodeAssigned", "announcing from node \"" + node + "\" with protocol \"" + kind.protocol() + "\""));
    }

    @Override
    public void close() {
        thread.shutdownNow();
        events.close();
    }
}
