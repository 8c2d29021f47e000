package io.ledgerlb.speaker.owner;

import io.ledgerlb.ledger.state.ServiceKey;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The inputs besides the ledger that decide ownership, as this speaker sees them.
 *
 * @param nodes the Kubernetes Nodes by name; empty when the speaker runs without Kubernetes, in
 *        which case every live speaker counts as a node without labels
 * @param liveSpeakers the nodes whose speakers membership currently considers alive
 * @param servingNodes for each Service, the nodes with a serving endpoint (externalTrafficPolicy:
 *        Local narrows the owners to them; with none anywhere the IP is not announced); read
 *        through, not copied: the caller does not change it while a plan reads it
 * @param withKubernetes whether {@code nodes} is authoritative
 * @param serviceLabels each Service's labels, for advertisements' serviceSelectors (a Service not
 *        in it has none); read through, not copied, as servingNodes
 */
public record ClusterView(Map<String, NodeInfo> nodes, Set<String> liveSpeakers,
                          Map<ServiceKey, Set<String>> servingNodes, boolean withKubernetes,
                          Map<ServiceKey, Map<String, String>> serviceLabels) {

    public ClusterView {
        nodes = Map.copyOf(nodes);
        liveSpeakers = Set.copyOf(liveSpeakers);
        servingNodes = Collections.unmodifiableMap(servingNodes); // not copied: 50,000 Services, on every plan
        serviceLabels = Collections.unmodifiableMap(serviceLabels); // read through too, for the same reason
    }

    /** A view in which no Service has labels. */
    public ClusterView(Map<String, NodeInfo> nodes, Set<String> liveSpeakers,
                       Map<ServiceKey, Set<String>> servingNodes, boolean withKubernetes) {
        this(nodes, liveSpeakers, servingNodes, withKubernetes, Map.of());
    }

    public Map<String, String> labels(ServiceKey service) {
        return serviceLabels.getOrDefault(service, Map.of());
    }

    /** The node as far as ownership is concerned: live, known, and allowed to announce. */
    Optional<NodeInfo> eligible(String name) {
        if (!liveSpeakers.contains(name)) {
            return Optional.empty();
        }
        NodeInfo node = withKubernetes ? nodes.get(name) : new NodeInfo(name, Map.of(), false);
        return node != null && node.mayAnnounce() ? Optional.of(node) : Optional.empty();
    }

    /**
     * For each of these Services, the nodes where it is served: from the EndpointSlices; without
     * Kubernetes nothing says where endpoints are, so every live speaker counts as serving (and
     * BGP announces every Service IP from every speaker, as in the one-machine trial).
     */
    public Map<ServiceKey, Set<String>> servingNodes(Collection<ServiceKey> services) {
        if (withKubernetes) {
            return servingNodes;
        }
        Map<ServiceKey, Set<String>> everywhere = new HashMap<>();
        services.forEach(service -> everywhere.put(service, liveSpeakers));
        return everywhere;
    }

    public Set<String> serving(ServiceKey service) {
        return servingNodes.getOrDefault(service, Set.of());
    }
}
