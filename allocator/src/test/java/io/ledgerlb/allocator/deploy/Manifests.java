package io.ledgerlb.allocator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Rendered manifests (kustomize's or Helm's), parsed and checked as far as can be done without
 * an API server: every object of a kind Kubernetes' own model knows (fabric8's typed classes), a
 * MetalLB kind the CRDs in deploy/crds define, or a Strimzi kind; the fields an API server
 * requires; and every reference inside the set resolved (ConfigMaps and their keys, service
 * accounts, roles, selectors).
 */
record Manifests(List<HasMetadata> objects) {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Set<String> STRIMZI = Set.of("Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser");

    static Manifests parse(String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : yaml.split("(?m)^---\\s*$")) {
            if (document.lines().anyMatch(l -> !l.isBlank() && !l.startsWith("#"))) {
                objects.add(SERIALIZATION.unmarshal(document, HasMetadata.class));
            }
        }
        return new Manifests(objects);
    }

    /** MetalLB's kinds, by apiVersion, from deploy/crds. */
    static Map<String, Set<String>> metallbKinds() throws IOException {
        Map<String, Set<String>> kinds = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(REPO.resolve("deploy/crds"))) {
            for (Path file : files.sorted().toList()) {
                CustomResourceDefinition crd = SERIALIZATION.unmarshal(Files.readString(file), CustomResourceDefinition.class);
                crd.getSpec().getVersions().forEach(v -> {
                    assertThat(v.getSchema().getOpenAPIV3Schema()).as(file + " " + v.getName()).isNotNull();
                    kinds.computeIfAbsent(crd.getSpec().getGroup() + "/" + v.getName(), k -> new TreeSet<>())
                            .add(crd.getSpec().getNames().getKind());
                });
            }
        }
        return kinds;
    }

    /**
     * The fields of a Kubernetes object that its kind's schema does not have: fabric8's typed model
     * is generated from Kubernetes' OpenAPI schema and keeps whatever it does not know in
     * {@code additionalProperties}, at every level.
     */
    static List<String> unknownFields(HasMetadata object) {
        List<String> unknown = new ArrayList<>();
        walk(object, object.getKind(), unknown, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
        return unknown;
    }

    private static void walk(Object node, String path, List<String> unknown, Set<Object> seen) {
        if (node == null || !seen.add(node)) {
            return;
        }
        if (node instanceof java.util.Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, unknown, seen));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (java.lang.reflect.Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(node);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
            if (getter.getName().equals("getAdditionalProperties") && value instanceof Map<?, ?> extra) {
                extra.keySet().forEach(k -> unknown.add(path + "." + k));
            } else {
                walk(value, path + "." + field, unknown, seen);
            }
        }
    }

    /** Kind/name of every object (what an install creates). */
    Set<String> names() {
        Set<String> names = new TreeSet<>();
        objects.forEach(o -> names.add(o.getKind() + "/" + o.getMetadata().getName()));
        return names;
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type, String name) {
        return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name + " in " + names()));
    }

    void validate() throws IOException {
        Map<String, Set<String>> metallb = metallbKinds();
        assertThat(objects).isNotEmpty();
        for (HasMetadata o : objects) {
            String what = o.getApiVersion() + " " + o.getKind() + " " + o.getMetadata().getName();
            assertThat(o.getApiVersion()).as(what).isNotBlank();
            assertThat(o.getMetadata().getName()).as(what).matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
            if (o instanceof GenericKubernetesResource) {
                boolean known = metallb.getOrDefault(o.getApiVersion(), Set.of()).contains(o.getKind())
                        || o.getApiVersion().equals("kafka.strimzi.io/v1beta2") && STRIMZI.contains(o.getKind());
                assertThat(known).as(what + ": a kind neither Kubernetes, MetalLB's CRDs nor Strimzi define").isTrue();
                if (o.getApiVersion().startsWith("kafka.strimzi.io") && !o.getKind().equals("Kafka")) {
                    assertThat(o.getMetadata().getLabels()).as(what).containsKey("strimzi.io/cluster");
                }
            } else {
                assertThat(unknownFields(o)).as(what + ": fields the kind's schema does not have (an API server drops them)").isEmpty();
            }
        }
        all(Deployment.class).forEach(d -> workload(d, d.getSpec().getSelector().getMatchLabels(), d.getSpec().getTemplate()));
        all(DaemonSet.class).forEach(d -> workload(d, d.getSpec().getSelector().getMatchLabels(), d.getSpec().getTemplate()));
        all(StatefulSet.class).forEach(s -> {
            workload(s, s.getSpec().getSelector().getMatchLabels(), s.getSpec().getTemplate());
            one(Service.class, s.getSpec().getServiceName());
        });
        for (Service s : all(Service.class)) {
            Map<String, String> selector = s.getSpec().getSelector();
            assertThat(templates().stream().anyMatch(t -> t.getMetadata().getLabels().entrySet().containsAll(selector.entrySet())))
                    .as("Service " + s.getMetadata().getName() + " selects a workload").isTrue();
        }
        for (ClusterRoleBinding b : all(ClusterRoleBinding.class)) {
            one(ClusterRole.class, b.getRoleRef().getName());
            b.getSubjects().forEach(s -> one(ServiceAccount.class, s.getName()));
        }
        for (RoleBinding b : all(RoleBinding.class)) {
            one(Role.class, b.getRoleRef().getName());
            b.getSubjects().forEach(s -> one(ServiceAccount.class, s.getName()));
        }
    }

    private List<PodTemplateSpec> templates() {
        List<PodTemplateSpec> templates = new ArrayList<>();
        all(Deployment.class).forEach(d -> templates.add(d.getSpec().getTemplate()));
        all(DaemonSet.class).forEach(d -> templates.add(d.getSpec().getTemplate()));
        all(StatefulSet.class).forEach(s -> templates.add(s.getSpec().getTemplate()));
        return templates;
    }

    private void workload(HasMetadata workload, Map<String, String> selector, PodTemplateSpec template) {
        String what = workload.getKind() + " " + workload.getMetadata().getName();
        assertThat(selector).as(what + " selector").isNotEmpty();
        assertThat(template.getMetadata().getLabels()).as(what + ": the selector matches the pods").containsAllEntriesOf(selector);
        String account = template.getSpec().getServiceAccountName();
        if (account != null) {
            one(ServiceAccount.class, account);
        }
        assertThat(template.getSpec().getContainers()).as(what).isNotEmpty();
        Set<String> volumes = new TreeSet<>();
        template.getSpec().getVolumes().forEach(v -> volumes.add(v.getName()));
        if (workload instanceof StatefulSet s && s.getSpec().getVolumeClaimTemplates() != null) {
            s.getSpec().getVolumeClaimTemplates().forEach(c -> volumes.add(c.getMetadata().getName()));
        }
        for (Container c : template.getSpec().getContainers()) {
            assertThat(c.getName()).as(what).isNotBlank();
            assertThat(c.getImage()).as(what + " " + c.getName()).isNotBlank();
            c.getVolumeMounts().forEach(m -> assertThat(volumes).as(what + " mounts " + m.getName()).contains(m.getName()));
            for (EnvVar e : c.getEnv()) {
                if (e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null) {
                    ConfigMap map = one(ConfigMap.class, e.getValueFrom().getConfigMapKeyRef().getName());
                    assertThat(map.getData()).as(what + " env " + e.getName()).containsKey(e.getValueFrom().getConfigMapKeyRef().getKey());
                }
            }
            for (EnvFromSource from : c.getEnvFrom()) {
                if (from.getConfigMapRef() != null) {
                    one(ConfigMap.class, from.getConfigMapRef().getName());
                }
            }
            // $(VAR) in args must name a variable of the container, else Kubernetes passes it literally
            Set<String> vars = new TreeSet<>();
            c.getEnv().forEach(e -> vars.add(e.getName()));
            c.getEnvFrom().stream().filter(f -> f.getConfigMapRef() != null)
                    .forEach(f -> vars.addAll(one(ConfigMap.class, f.getConfigMapRef().getName()).getData().keySet()));
            for (String arg : c.getArgs()) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\(([A-Z_0-9]+)\\)").matcher(arg);
                while (m.find()) {
                    assertThat(vars).as(what + " " + c.getName() + " arg " + arg).contains(m.group(1));
                }
            }
        }
    }
}
