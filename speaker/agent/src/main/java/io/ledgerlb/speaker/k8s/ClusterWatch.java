package io.ledgerlb.speaker.k8s;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.speaker.owner.NodeInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Watches what ownership needs from Kubernetes: the Nodes (labels, NetworkUnavailable, addresses),
 * the EndpointSlices (which nodes have a serving endpoint of each Service) and the Services' labels
 * (for serviceSelectors). Informers keep the caches; {@code changed} runs after every event, and
 * the speaker takes what changed ({@link #takeNodesChanged}, {@link #takeChangedServices}) and
 * reads only that again: a slice or Service event costs that Service, not all of them.
 */
public final class ClusterWatch implements AutoCloseable {
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private final SharedIndexInformer<Node> nodes;
    private final SharedIndexInformer<EndpointSlice> slices;
    /** For the advertisements' serviceSelectors: the Services' labels. */
    private final SharedIndexInformer<Service> services;
    /** Set by every EndpointSlice event (after the informer's cache has it): {@link #servingNodes} reads the slices again. */
    private final AtomicBoolean slicesChanged = new AtomicBoolean(true);
    private Map<ServiceKey, Set<String>> serving = Map.of();
    private final Set<ServiceKey> changedServices = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean nodesChanged = new AtomicBoolean(true);
    private static final String BY_SERVICE = "service";

    public ClusterWatch(KubernetesClient client, Runnable changed) {
        ResourceEventHandler<Object> handler = new ResourceEventHandler<>() {
            @Override
            public void onAdd(Object obj) {
                changedBy(obj);
            }

            @Override
            public void onUpdate(Object oldObj, Object newObj) {
                if (oldObj instanceof Service before && newObj instanceof Service after
                        && Objects.equals(before.getMetadata().getLabels(), after.getMetadata().getLabels())) {
                    return; // only a Service's labels matter here; its status is written often
                }
                changedBy(newObj);
            }

            @Override
            public void onDelete(Object obj, boolean deletedFinalStateUnknown) {
                changedBy(obj);
            }

            private void changedBy(Object obj) {
                if (obj instanceof EndpointSlice slice) {
                    slicesChanged.set(true);
                    serviceOf(slice).ifPresent(changedServices::add);
                } else if (obj instanceof Service service) {
                    changedServices.add(keyOf(service));
                } else {
                    nodesChanged.set(true);
                }
                changed.run();
            }
        };
        this.nodes = client.nodes().inform(cast(handler), 0);
        this.slices = client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0);
        slices.addIndexers(Map.of(BY_SERVICE, slice -> serviceOf(slice).map(k -> List.of(k.toString())).orElse(List.of())));
        slices.addEventHandler(cast(handler));
        slices.run();
        this.services = client.services().inAnyNamespace().inform(cast(handler), 0);
    }

    @SuppressWarnings("unchecked")
    private static <T> ResourceEventHandler<T> cast(ResourceEventHandler<Object> handler) {
        return (ResourceEventHandler<T>) (ResourceEventHandler<?>) handler;
    }

    public Map<String, NodeInfo> nodes() {
        Map<String, NodeInfo> out = new HashMap<>();
        for (Node node : nodes.getStore().list()) {
            out.put(node.getMetadata().getName(), nodeInfo(node));
        }
        return out;
    }

    /** The Nodes' InternalIP addresses (where their speakers listen for membership). */
    public List<String> internalAddresses() {
        List<String> out = new ArrayList<>();
        for (Node node : nodes.getStore().list()) {
            if (node.getStatus() != null && node.getStatus().getAddresses() != null) {
                for (NodeAddress a : node.getStatus().getAddresses()) {
                    if ("InternalIP".equals(a.getType())) {
                        out.add(a.getAddress());
                    }
                }
            }
        }
        return out;
    }

    /**
     * For each Service, the nodes where it has a serving endpoint. Read from the slices again only
     * after they changed: the speaker asks on every plan, that is on every ledger event.
     */
    public synchronized Map<ServiceKey, Set<String>> servingNodes() {
        if (slicesChanged.getAndSet(false)) {
            serving = servingNodes(slices.getStore().list());
        }
        return serving;
    }

    /** A Service's labels now (empty: none, or no such Service). */
    public Map<String, String> labels(ServiceKey service) {
        Service found = services.getStore().getByKey(service.namespace() + "/" + service.name());
        Map<String, String> labels = found == null ? null : found.getMetadata().getLabels();
        return labels == null ? Map.of() : labels;
    }

    /** Whether the Nodes changed since the last call. */
    public boolean takeNodesChanged() {
        return nodesChanged.getAndSet(false);
    }

    /** The Services whose EndpointSlices or labels changed since the last call. */
    public Set<ServiceKey> takeChangedServices() {
        Set<ServiceKey> out = new HashSet<>();
        for (ServiceKey k : changedServices) {
            changedServices.remove(k);
            out.add(k);
        }
        return out;
    }

    /** The nodes where one Service has a serving endpoint now, from its slices only. */
    public Set<String> servingNodes(ServiceKey service) {
        return servingNodes(slices.getIndexer().byIndex(BY_SERVICE, service.toString())).getOrDefault(service, Set.of());
    }

    private static ServiceKey keyOf(Service service) {
        return new ServiceKey(service.getMetadata().getNamespace(), service.getMetadata().getName());
    }

    private static java.util.Optional<ServiceKey> serviceOf(EndpointSlice slice) {
        Map<String, String> labels = slice.getMetadata().getLabels();
        String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
        return service == null ? java.util.Optional.empty()
                : java.util.Optional.of(new ServiceKey(slice.getMetadata().getNamespace(), service));
    }

    static NodeInfo nodeInfo(Node node) {
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        boolean networkUnavailable = node.getStatus() != null && node.getStatus().getConditions() != null
                && node.getStatus().getConditions().stream()
                        .anyMatch(c -> "NetworkUnavailable".equals(c.getType()) && "True".equals(c.getStatus()));
        return new NodeInfo(node.getMetadata().getName(), labels, networkUnavailable);
    }

    /** An endpoint counts where it is serving (or, when serving is not reported, ready). */
    static Map<ServiceKey, Set<String>> servingNodes(List<EndpointSlice> slices) {
        Map<ServiceKey, Set<String>> out = new HashMap<>();
        for (EndpointSlice slice : slices) {
            Map<String, String> labels = slice.getMetadata().getLabels();
            String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
            if (service == null || slice.getEndpoints() == null) {
                continue;
            }
            ServiceKey key = new ServiceKey(slice.getMetadata().getNamespace(), service);
            Set<String> nodes = out.computeIfAbsent(key, k -> new HashSet<>());
            for (Endpoint e : slice.getEndpoints()) {
                if (e.getNodeName() != null && serving(e)) {
                    nodes.add(e.getNodeName());
                }
            }
        }
        out.replaceAll((service, nodes) -> Set.copyOf(nodes));
        return Map.copyOf(out);
    }

    private static boolean serving(Endpoint e) {
        if (e.getConditions() == null) {
            return true; // "unknown" is to be read as ready, per the EndpointSlice API
        }
        Boolean serving = e.getConditions().getServing();
        if (serving != null) {
            return serving;
        }
        return !Boolean.FALSE.equals(e.getConditions().getReady());
    }

    @Override
    public void close() {
        nodes.close();
        slices.close();
        services.close();
    }
}
