package io.ledgerlb.allocator.k8s.adapter;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.ledgerlb.allocator.metrics.PoolCounts;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
 * counts. Writes only when something differs from the informer's copy.
 */
public final class ConfigStatusWriter {
    private static final Logger log = LoggerFactory.getLogger(ConfigStatusWriter.class);

    private final KubernetesClient client;

    public ConfigStatusWriter(KubernetesClient client) {
        this.client = client;
    }

    /**
     * @param invalid why the allocator refused the resource; empty when it was accepted
     * @param usage   for pools: the counts to show
     */
    public void write(MetalLbKinds kind, GenericKubernetesResource resource, Optional<String> invalid,
            Optional<PoolCounts> usage) {
        Map<String, Object> current = currentStatus(resource);
        Map<String, Object> status = new LinkedHashMap<>();
        usage.ifPresent(u -> {
            status.put("assignedIPv4", u.assignedV4());
            status.put("assignedIPv6", u.assignedV6());
            status.put("availableIPv4", u.availableV4());
            status.put("availableIPv6", u.availableV6());
        });
        Map<String, Object> condition = new LinkedHashMap<>();
        condition.put("type", "Valid");
        condition.put("status", invalid.isPresent() ? "False" : "True");
        condition.put("reason", invalid.isPresent() ? "InvalidConfiguration" : "Accepted");
        condition.put("message", invalid.orElse("accepted by the allocator"));
        condition.put("observedGeneration", resource.getMetadata().getGeneration());
        condition.put("lastTransitionTime", transitionTime(current, condition));
        status.put("conditions", List.of(condition));
        if (sameNumbersAndCondition(current, status)) {
            return;
        }
        String patch = "[{\"op\":\"add\",\"path\":\"/status\",\"value\":"
                + client.getKubernetesSerialization().asJson(status) + "}]";
        try {
            client.genericKubernetesResources(kind.context())
                    .inNamespace(resource.getMetadata().getNamespace()).withName(resource.getMetadata().getName())
                    .subresource("status").patch(PatchContext.of(PatchType.JSON), patch);
        } catch (KubernetesClientException e) {
            log.warn("could not write the status of {} {}: {}", kind.kind(), resource.getMetadata().getName(),
                    e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> currentStatus(GenericKubernetesResource resource) {
        Object status = resource.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    /** Keeps the previous transition time when the condition's status did not change. */
    private static String transitionTime(Map<String, Object> current, Map<String, Object> next) {
        Map<?, ?> previous = condition(current);
        if (previous != null && Objects.equals(previous.get("status"), next.get("status"))
                && previous.get("lastTransitionTime") != null) {
            return previous.get("lastTransitionTime").toString();
        }
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static Map<?, ?> condition(Map<String, Object> status) {
        return status.get("conditions") instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map<?, ?> m
                ? m : null;
    }

    private static boolean sameNumbersAndCondition(Map<String, Object> current, Map<String, Object> next) {
        for (String field : List.of("assignedIPv4", "assignedIPv6", "availableIPv4", "availableIPv6")) {
            if (!Objects.equals(String.valueOf(current.get(field)), String.valueOf(next.get(field)))) {
                return false;
            }
        }
        Map<?, ?> a = condition(current);
        Map<?, ?> b = condition(next);
        return a != null && b != null && Objects.equals(a.get("status"), b.get("status"))
                && Objects.equals(a.get("message"), b.get("message"))
                && Objects.equals(String.valueOf(a.get("observedGeneration")), String.valueOf(b.get("observedGeneration")));
    }
}
