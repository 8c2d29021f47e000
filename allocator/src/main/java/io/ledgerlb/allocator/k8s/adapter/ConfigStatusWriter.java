package io.ledgerlb.allocator.k8s.adapter;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.ledgerlb.allocator.metrics.PoolCounts;
import io.ledgerlb.kube.Conditions;
import io.ledgerlb.kube.Conditions.Condition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status of MetalLB resources: a {@code Valid} condition (false, with the reason, when the
 * allocator refused the configuration) and, on IPAddressPools, MetalLB's assigned/available
 * counts. Writes only when something differs from the informer's copy, and leaves conditions of
 * other types (the speakers') as they are ({@link Conditions}).
 */
public final class ConfigStatusWriter {
    private static final Logger log = LoggerFactory.getLogger(ConfigStatusWriter.class);

    private static final String VALID = "Valid";

    private final KubernetesClient client;

    public ConfigStatusWriter(KubernetesClient client) {
        this.client = client;
    }

    public void write(MetalLbKinds kind, GenericKubernetesResource resource, Optional<String> invalid,
            Optional<PoolCounts> usage) {
        write(kind, resource, invalid, List.of(), usage);
    }

    /**
     * @param invalid  why the allocator refused the resource; empty when it was accepted
     * @param warnings what the resource says that is ignored (an accepted one is then
     *                 {@code Valid=True} with reason {@code AcceptedWithWarnings} and these in its message)
     * @param usage    for pools: the counts to show
     * @return whether the status changed (false: it already said this, or the write failed)
     */
    public boolean write(MetalLbKinds kind, GenericKubernetesResource resource, Optional<String> invalid,
            List<String> warnings, Optional<PoolCounts> usage) {
        Map<String, Object> counts = new LinkedHashMap<>();
        usage.ifPresent(u -> {
            counts.put("assignedIPv4", u.assignedV4());
            counts.put("assignedIPv6", u.assignedV6());
            counts.put("availableIPv4", u.availableV4());
            counts.put("availableIPv6", u.availableV6());
        });
        String ignored = warnings.isEmpty() ? "" : "; " + String.join("; ", warnings);
        Condition valid = new Condition(VALID, invalid.isEmpty(),
                invalid.isPresent() ? "InvalidConfiguration" : warnings.isEmpty() ? "Accepted" : "AcceptedWithWarnings",
                invalid.orElse("accepted by the allocator") + ignored);
        Long generation = resource.getMetadata().getGeneration();
        UnaryOperator<Map<String, Object>> change = status -> {
            List<Map<String, Object>> conditions = Conditions.merged(status, List.of(valid), generation);
            if (conditions == null && sameNumbers(status, counts)) {
                return null;
            }
            status.putAll(counts);
            if (conditions != null) {
                status.put("conditions", conditions);
            }
            return status;
        };
        if (change.apply(Conditions.statusOf(resource)) == null) {
            return false; // the informer's copy already says so
        }
        var resources = client.genericKubernetesResources(kind.context()).inNamespace(resource.getMetadata().getNamespace());
        try {
            // read-modify-write of the object as it is now: the informer's copy may lag behind a speaker's write
            return Conditions.writeStatus(resources, resource.getMetadata().getName(), null, change) != null;
        } catch (KubernetesClientException e) {
            log.warn("could not write the status of {} {}: {}", kind.kind(), resource.getMetadata().getName(),
                    e.getMessage());
        }
        return false;
    }

    private static boolean sameNumbers(Map<String, Object> current, Map<String, Object> counts) {
        for (var field : counts.entrySet()) {
            if (!Objects.equals(String.valueOf(current.get(field.getKey())), String.valueOf(field.getValue()))) {
                return false;
            }
        }
        return true;
    }
}
