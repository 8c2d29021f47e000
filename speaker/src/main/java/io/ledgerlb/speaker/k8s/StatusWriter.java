package io.ledgerlb.speaker.k8s;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.speaker.owner.L2Assignment;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells users which node announces a Service: one {@link ServiceL2Status} per Service this node
 * announces (removed when it stops) and a {@code nodeAssigned} Event on the Service when it
 * starts. Runs on a thread of its own so that the API server never slows Layer 2 down; failures
 * are logged and retried at the next change.
 */
public final class StatusWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StatusWriter.class);

    private final KubernetesClient client;
    private final String node;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "status-writer");
        t.setDaemon(true);
        return t;
    });
    /** Status object name → what it says, as written. */
    private final Map<String, ServiceL2Status> written = new HashMap<>();
    private boolean listed;

    public StatusWriter(KubernetesClient client, String node) {
        this.client = client;
        this.node = node;
    }

    /** The Services this node announces now; writes what changed, in the background. */
    public void announcing(List<L2Assignment> mine, Map<ServiceKey, String> serviceUids) {
        executor.execute(() -> reconcile(mine, serviceUids));
    }

    private void reconcile(List<L2Assignment> mine, Map<ServiceKey, String> serviceUids) {
        try {
            if (!listed) {
                client.resources(ServiceL2Status.class).inAnyNamespace()
                        .withLabel(ServiceL2Status.NODE_LABEL, node).list().getItems()
                        .forEach(s -> written.put(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName(), s));
                listed = true;
            }
            Map<String, ServiceL2Status> desired = new HashMap<>();
            Map<String, ServiceKey> services = new HashMap<>();
            for (L2Assignment a : mine) {
                for (ServiceKey service : a.services()) {
                    ServiceL2Status status = status(service, a.interfaces());
                    String key = service.namespace() + "/" + status.getMetadata().getName();
                    desired.merge(key, status, (x, y) -> {
                        Set<String> ifaces = new TreeSet<>();
                        x.getStatus().getInterfaces().forEach(i -> ifaces.add(i.getName()));
                        y.getStatus().getInterfaces().forEach(i -> ifaces.add(i.getName()));
                        return status(service, ifaces);
                    });
                    services.put(key, service);
                }
            }
            for (var e : Map.copyOf(written).entrySet()) {
                if (!desired.containsKey(e.getKey())) {
                    client.resource(e.getValue()).delete();
                    written.remove(e.getKey());
                }
            }
            for (var e : desired.entrySet()) {
                ServiceL2Status old = written.get(e.getKey());
                if (old != null && sameStatus(old, e.getValue())) {
                    continue;
                }
                ServiceL2Status object = e.getValue();
                ServiceL2Status stored = client.resource(object).createOr(existing -> existing.update());
                stored.setStatus(object.getStatus());
                client.resource(stored).updateStatus();
                written.put(e.getKey(), object);
                if (old == null) {
                    nodeAssigned(services.get(e.getKey()), serviceUids.get(services.get(e.getKey())));
                }
            }
        } catch (KubernetesClientException e) {
            listed = false;
            log.atWarn().addKeyValue("event", "statusNotWritten").addKeyValue("error", e.getMessage())
                    .setCause(e).log("could not write ServiceL2Status; will retry at the next change");
        }
    }

    private static boolean sameStatus(ServiceL2Status a, ServiceL2Status b) {
        return a.getStatus() != null && interfaces(a).equals(interfaces(b));
    }

    private static Set<String> interfaces(ServiceL2Status s) {
        Set<String> out = new TreeSet<>();
        if (s.getStatus().getInterfaces() != null) {
            s.getStatus().getInterfaces().forEach(i -> out.add(i.getName()));
        }
        return out;
    }

    ServiceL2Status status(ServiceKey service, Set<String> interfaces) {
        ServiceL2Status s = new ServiceL2Status();
        s.setMetadata(new ObjectMetaBuilder()
                .withNamespace(service.namespace())
                .withName(name(service, node))
                .withLabels(Map.of(ServiceL2Status.NODE_LABEL, node,
                        ServiceL2Status.SERVICE_NAME_LABEL, service.name(),
                        ServiceL2Status.SERVICE_NAMESPACE_LABEL, service.namespace()))
                .build());
        ServiceL2Status.Status status = new ServiceL2Status.Status();
        status.setNode(node);
        status.setServiceName(service.name());
        status.setServiceNamespace(service.namespace());
        new TreeSet<>(interfaces).forEach(i -> status.getInterfaces().add(new ServiceL2Status.InterfaceInfo(i)));
        s.setStatus(status);
        return s;
    }

    /** {@code l2-} and a hash of Service and node: stable, short, a valid object name. */
    static String name(ServiceKey service, String node) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(
                    (service.namespace() + "/" + service.name() + "@" + node).getBytes(StandardCharsets.UTF_8));
            return "l2-" + HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void nodeAssigned(ServiceKey service, String uid) {
        String now = Instant.now().toString();
        client.v1().events().inNamespace(service.namespace()).resource(new EventBuilder()
                .withNewMetadata().withNamespace(service.namespace())
                        .withName(service.name() + "." + Long.toHexString(System.nanoTime())).endMetadata()
                .withNewInvolvedObject().withApiVersion("v1").withKind("Service")
                        .withNamespace(service.namespace()).withName(service.name()).withUid(uid).endInvolvedObject()
                .withType("Normal")
                .withReason("nodeAssigned")
                .withMessage("announcing from node \"" + node + "\" with protocol \"layer2\"")
                .withNewSource().withComponent("ledgerlb-speaker").withHost(node).endSource()
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build()).create();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
