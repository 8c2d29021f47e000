package io.ledgerlb.allocator.k8s.adapter;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.ledgerlb.allocator.metrics.PoolCounts;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status of MetalLB resources: a {@code Valid} condition (false, with the reason, when the
 * allocator refused the configuration) and, on IPAddressPools, MetalLB's assigned/available
 * counts. Writes only when something differs from the informer's copy, and leaves conditions of
 * other types (the speakers') as they are.
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
        Map<String, Object> condition = new LinkedHashMap<>();
        condition.put("type", VALID);
        condition.put("status", invalid.isPresent() ? "False" : "True");
        condition.put("reason", invalid.isPresent() ? "InvalidConfiguration"
                : warnings.isEmpty() ? "Accepted" : "AcceptedWithWarnings");
        String ignored = warnings.isEmpty() ? "" : "; " + String.join("; ", warnings);
        condition.put("message", invalid.orElse("accepted by the allocator") + ignored);
        condition.put("observedGeneration", resource.getMetadata().getGeneration());
        if (sameNumbersAndCondition(currentStatus(resource), counts, condition)) {
            return false;
        }
        var resources = client.genericKubernetesResources(kind.context()).inNamespace(resource.getMetadata().getNamespace());
        try {
            // read-modify-write of the object as it is now (the informer's copy may lag behind a
            // speaker's write), with the resourceVersion read: a conflict means someone wrote
            // meanwhile, so read again rather than overwrite it
            GenericKubernetesResource object = resources.withName(resource.getMetadata().getName()).get();
            for (int attempt = 1; object != null; attempt++) {
                Map<String, Object> status = new LinkedHashMap<>(currentStatus(object));
                status.putAll(counts);
                status.put("conditions", withCondition(status, condition));
                object.setAdditionalProperty("status", status);
                try {
                    resources.resource(object).updateStatus();
                    return true;
                } catch (KubernetesClientException e) {
                    if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == 3) {
                        throw e;
                    }
                    object = resources.withName(resource.getMetadata().getName()).get();
                }
            }
        } catch (KubernetesClientException e) {
            log.warn("could not write the status of {} {}: {}", kind.kind(), resource.getMetadata().getName(),
                    e.getMessage());
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> currentStatus(GenericKubernetesResource resource) {
        Object status = resource.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    /**
     * The status's conditions with the allocator's {@code Valid} one put in its place; conditions of
     * other types (the speakers' {@code Supported} on BGPPeers) are kept as they are.
     */
    private static List<Object> withCondition(Map<String, Object> status, Map<String, Object> condition) {
        Map<?, ?> previous = condition(status);
        Map<String, Object> next = new LinkedHashMap<>(condition);
        next.put("lastTransitionTime", previous != null && Objects.equals(previous.get("status"), next.get("status"))
                && previous.get("lastTransitionTime") != null ? previous.get("lastTransitionTime").toString()
                : Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        List<Object> conditions = new ArrayList<>();
        if (status.get("conditions") instanceof List<?> list) {
            list.forEach(c -> conditions.add(c == previous ? next : c));
        }
        if (previous == null) {
            conditions.add(next);
        }
        return conditions;
    }

    /** The allocator's {@code Valid} condition in this status, or null. */
    private static Map<?, ?> condition(Map<String, Object> status) {
        if (status.get("conditions") instanceof List<?> list) {
            for (Object c : list) {
                if (c instanceof Map<?, ?> m && VALID.equals(m.get("type"))) {
                    return m;
                }
            }
        }
        return null;
    }

    private static boolean sameNumbersAndCondition(Map<String, Object> current, Map<String, Object> counts,
            Map<String, Object> next) {
        for (var field : counts.entrySet()) {
            if (!Objects.equals(String.valueOf(current.get(field.getKey())), String.valueOf(field.getValue()))) {
                return false;
            }
        }
        Map<?, ?> a = condition(current);
        return a != null && Objects.equals(a.get("status"), next.get("status"))
                && Objects.equals(a.get("message"), next.get("message"))
                && Objects.equals(String.valueOf(a.get("observedGeneration")), String.valueOf(next.get("observedGeneration")));
    }
}
