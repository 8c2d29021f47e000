package io.ledgerlb.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Conditions ({@code status.conditions}, as Kubernetes' {@code metav1.Condition}) on objects that
 * several writers share, the allocator's {@code Valid} and the speakers' {@code Supported} and
 * {@code Resolved} on the same BGPPeer among them: each writer merges its own types into the
 * conditions as just read, keeps those of other types as they are, and keeps a condition's
 * {@code lastTransitionTime} while its status stays the same. {@link #writeStatus} writes by
 * read-modify-write with the resourceVersion read, so a writer never overwrites another's.
 */
public final class Conditions {
    /** How often a status write that conflicts with another writer's is read again and retried. */
    static final int ATTEMPTS = 3;

    /** One condition a writer sets. */
    public record Condition(String type, boolean status, String reason, String message) {
        public String statusText() {
            return status ? "True" : "False";
        }
    }

    private Conditions() {}

    /**
     * The conditions of {@code status} with {@code wanted} merged in by type, or null when they
     * already say that (status, reason, message and, when given, observedGeneration).
     *
     * @param observedGeneration the generation of the object the conditions were found on, or null
     */
    public static List<Map<String, Object>> merged(Map<String, Object> status, List<Condition> wanted,
            Long observedGeneration) {
        List<Map<String, Object>> merged = of(status);
        boolean changed = false;
        for (Condition condition : wanted) {
            Map<String, Object> current = merged.stream().filter(c -> condition.type().equals(c.get("type")))
                    .findFirst().orElse(null);
            if (current != null && says(current, condition, observedGeneration)) {
                continue;
            }
            Map<String, Object> next = next(condition, current, observedGeneration);
            if (current == null) {
                merged.add(next);
            } else {
                merged.set(merged.indexOf(current), next);
            }
            changed = true;
        }
        return changed ? merged : null;
    }

    /** The condition of this type in {@code status}, or null. */
    public static Map<String, Object> find(Map<String, Object> status, String type) {
        return of(status).stream().filter(c -> type.equals(c.get("type"))).findFirst().orElse(null);
    }

    /** The status of {@code object}, a copy to change (empty when it has none). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> statusOf(GenericKubernetesResource object) {
        Object status = object.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
    }

    /**
     * Writes the status of the object {@code name} as {@code change} makes it from the status read
     * (null: it already says what is wanted), with the resourceVersion read; a conflict (another
     * writer was first) reads again and retries, {@value #ATTEMPTS} tries in all.
     *
     * @param object the object as just read, or null to read it first
     * @return the object written, or null when nothing was written (already so, or the object is gone)
     * @throws KubernetesClientException when the API refuses the write
     */
    public static GenericKubernetesResource writeStatus(
            NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> objects,
            String name, GenericKubernetesResource object, UnaryOperator<Map<String, Object>> change) {
        if (object == null) {
            object = objects.withName(name).get();
        }
        for (int attempt = 1; object != null; attempt++) {
            Map<String, Object> status = change.apply(statusOf(object));
            if (status == null) {
                return null;
            }
            object.setAdditionalProperty("status", status);
            try {
                objects.resource(object).updateStatus();
                return object;
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == ATTEMPTS) {
                    throw e;
                }
                object = objects.withName(name).get();
            }
        }
        return null;
    }

    private static boolean says(Map<String, Object> current, Condition wanted, Long observedGeneration) {
        return Objects.equals(current.get("status"), wanted.statusText())
                && Objects.equals(current.get("reason"), wanted.reason())
                && Objects.equals(current.get("message"), wanted.message())
                && (observedGeneration == null
                    || Objects.equals(String.valueOf(current.get("observedGeneration")), String.valueOf(observedGeneration)));
    }

    private static Map<String, Object> next(Condition wanted, Map<String, Object> current, Long observedGeneration) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", wanted.type());
        c.put("status", wanted.statusText());
        c.put("reason", wanted.reason());
        c.put("message", wanted.message());
        if (observedGeneration != null) {
            c.put("observedGeneration", observedGeneration);
        }
        boolean sameStatus = current != null && c.get("status").equals(current.get("status"))
                && current.get("lastTransitionTime") != null;
        c.put("lastTransitionTime", sameStatus ? current.get("lastTransitionTime").toString()
                : Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        return c;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> of(Map<String, Object> status) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (status.get("conditions") instanceof List<?> list) {
            list.stream().filter(Map.class::isInstance).forEach(c -> out.add((Map<String, Object>) c));
        }
        return out;
    }
}
