package io.ledgerlb.allocator.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The two installs — `kubectl apply -k deploy/` and the Helm chart deploy/helm/ledgerlb — render
 * valid manifests (see {@link Manifests}) and the same objects; the chart's values (BGP backend,
 * which Kafka, credentials) change what they say; the Strimzi example parses and fits.
 */
public class KustomizeAndHelmTest {
    static final Path CHART = Manifests.REPO.resolve("deploy/helm/ledgerlb");

    @Test
    void kustomizeRendersValidManifests() throws Exception {
        Manifests kustomize = kustomize(deployWithKey());
        kustomize.validate();
        assertThat(kustomize.names()).contains("Deployment/ledgerlb-allocator", "DaemonSet/ledgerlb-speaker",
                "StatefulSet/ledgerlb-kafka", "CustomResourceDefinition/ipaddresspools.metallb.io");
    }

    @Test
    void helmChartLintsAndRendersTheSameObjectsAsKustomize() throws Exception {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();

        Manifests helm = helm(Map.of("speaker.memberlistKey", "c2VjcmV0LWtleS1mb3ItdGhlLXRlc3Qtb25seS0xMjM0NQ=="));
        helm.validate();
        Set<String> kustomized = new TreeSet<>();
        // kustomize's generated Secret carries a hash of its content in its name
        kustomize(deployWithKey()).names().forEach(n -> kustomized.add(n.replaceAll("^(Secret/ledgerlb-memberlist)-[a-z0-9]+$", "$1")));
        // the bundled Kafka's Secrets come from deploy/kafka-secrets.sh's files: kustomize makes them, Helm users create them
        assertThat(kustomized).anyMatch(n -> n.startsWith("Secret/ledgerlb-kafka-broker-")).anyMatch(n -> n.startsWith("Secret/ledgerlb-kafka-speaker-"));
        kustomized.removeIf(n -> n.startsWith("Secret/ledgerlb-kafka-"));
        kustomized.removeIf(n -> n.startsWith("CustomResourceDefinition/") || n.startsWith("Namespace/"));
        assertThat(helm.names()).isEqualTo(kustomized);
        assertThat(helm.all(Namespace.class)).isEmpty();
        // the CRDs come with the chart (crds/ is deploy/crds itself)
        try (var crds = Files.list(CHART.resolve("crds"))) {
            assertThat(crds.count()).isEqualTo(Manifests.metallbKinds().values().stream().flatMap(Set::stream).distinct().count());
        }

        Container allocator = container(helm.one(Deployment.class, "ledgerlb-allocator").getSpec().getTemplate().getSpec().getContainers(), "allocator");
        assertThat(allocator.getArgs()).contains("run", "--kafka-bootstrap=$(LEDGERLB_KAFKA_BOOTSTRAP)");
        assertThat(helm.one(io.fabric8.kubernetes.api.model.ConfigMap.class, "ledgerlb-config").getData())
                .containsEntry("kafka-bootstrap", "ledgerlb-kafka-0.ledgerlb-kafka.metallb-system.svc:9093");
        Container speaker = container(speakerPod(helm), "speaker");
        assertThat(speaker.getArgs()).containsExactly("--interface=eth0");
        // both install the bundled Kafka's client settings the same way: a properties file from the process's own Secret
        for (Manifests m : List.of(helm, kustomize(deployWithKey()))) {
            for (var pod : List.of(m.one(Deployment.class, "ledgerlb-allocator").getSpec().getTemplate().getSpec(),
                    m.one(DaemonSet.class, "ledgerlb-speaker").getSpec().getTemplate().getSpec())) {
                assertThat(pod.getContainers().get(0).getEnv()).anySatisfy(e -> {
                    assertThat(e.getName()).isEqualTo("LEDGERLB_KAFKA_PROPERTIES_FILE");
                    assertThat(e.getValue()).isEqualTo("/etc/ledgerlb/kafka/kafka.properties");
                });
                assertThat(pod.getVolumes()).anyMatch(v -> v.getSecret() != null && v.getSecret().getSecretName().startsWith("ledgerlb-kafka-"));
            }
            // the host-network speaker serves metrics and probes on its node's IP only
            assertThat(container(speakerPod(m), "speaker").getEnv()).anySatisfy(e -> {
                assertThat(e.getName()).isEqualTo("LEDGERLB_METRICS_BIND");
                assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.hostIP");
            });
        }
        assertThat(speaker.getSecurityContext().getCapabilities().getAdd()).containsExactlyInAnyOrder("NET_RAW", "NET_ADMIN", "NET_BIND_SERVICE");
    }

    @Test
    void gobgpBackendGivesTheSpeakerTheSameSidecarAsTheKustomizeComponent() throws Exception {
        deployWithKey();
        Path overlay = Files.createDirectories(Path.of("target/kustomize-gobgp"));
        Files.writeString(overlay.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources: [../deploy]
                components: [../deploy/speaker-gobgp]
                """);
        Manifests kustomize = kustomize(overlay);
        kustomize.validate();
        Manifests helm = helm(Map.of("speaker.bgpBackend", "gobgp", "speaker.interfaces[0]", "eth1", "speaker.interfaces[1]", "bond0"));
        helm.validate();

        List<Container> kustomized = speakerPod(kustomize);
        List<Container> charted = speakerPod(helm);
        assertThat(charted.stream().map(Container::getName)).containsExactlyElementsOf(kustomized.stream().map(Container::getName).toList())
                .containsExactly("speaker", "gobgpd");
        assertThat(container(charted, "gobgpd").getArgs()).isEqualTo(container(kustomized, "gobgpd").getArgs());
        assertThat(container(charted, "gobgpd").getCommand()).isEqualTo(container(kustomized, "gobgpd").getCommand())
                .containsExactly("/bin/bash", "/etc/ledgerlb/gobgpd-watchdog/gobgpd-watchdog.sh");
        assertThat(helm.one(io.fabric8.kubernetes.api.model.ConfigMap.class, "ledgerlb-gobgpd-watchdog").getData())
                .as("the chart's copy of gobgpd-watchdog.sh").isEqualTo(
                        kustomize.one(io.fabric8.kubernetes.api.model.ConfigMap.class, "ledgerlb-gobgpd-watchdog").getData());
        assertThat(helm.one(io.fabric8.kubernetes.api.model.ConfigMap.class, "ledgerlb-gobgpd").getData())
                .isEqualTo(kustomize.one(io.fabric8.kubernetes.api.model.ConfigMap.class, "ledgerlb-gobgpd").getData());
        assertThat(container(charted, "speaker").getArgs()).containsExactly("--interface=eth1", "--interface=bond0");
    }

    @Test
    void strimziModeMakesTopicsAndUsersAndUsesTheirSecrets() throws Exception {
        Manifests helm = helm(Map.of("kafka.mode", "strimzi", "kafka.strimzi.createCluster", "true"));
        helm.validate();
        assertThat(helm.names()).contains("Kafka/ledgerlb-kafka", "KafkaNodePool/ledgerlb-kafka-dual", "KafkaTopic/ledgerlb-events",
                "KafkaTopic/ledgerlb-snapshots", "KafkaUser/ledgerlb-allocator", "KafkaUser/ledgerlb-speaker")
                .doesNotContain("StatefulSet/ledgerlb-kafka");
        GenericKubernetesResource events = helm.all(GenericKubernetesResource.class).stream()
                .filter(o -> o.getMetadata().getName().equals("ledgerlb-events")).findFirst().orElseThrow();
        assertThat(events.<Object>get("spec", "topicName")).isEqualTo("ledgerlb.events");
        assertThat(events.<Object>get("spec", "partitions")).isEqualTo(1);

        Container allocator = container(helm.one(Deployment.class, "ledgerlb-allocator").getSpec().getTemplate().getSpec().getContainers(), "allocator");
        assertThat(allocator.getArgs()).contains("--kafka-property=security.protocol=SASL_SSL",
                "--kafka-property=sasl.mechanism=SCRAM-SHA-512", "--kafka-property=sasl.jaas.config=$(LEDGERLB_KAFKA_SECRET_0)",
                "--kafka-property=ssl.truststore.location=/etc/ledgerlb/kafka-ca/ca.crt");
        assertThat(allocator.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("LEDGERLB_KAFKA_SECRET_0");
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("ledgerlb-allocator");
        });
        Container speaker = container(speakerPod(helm), "speaker");
        assertThat(speaker.getEnv()).anySatisfy(e -> assertThat(e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null
                && e.getValueFrom().getSecretKeyRef().getName().equals("ledgerlb-speaker")).isTrue());
        assertThat(helm.one(io.fabric8.kubernetes.api.model.ConfigMap.class, "ledgerlb-config").getData())
                .containsEntry("kafka-bootstrap", "ledgerlb-kafka-kafka-bootstrap.metallb-system.svc:9093");
    }

    @Test
    void existingKafkaNeedsItsAddressAndTakesCredentialsFromSecrets() throws Exception {
        assertThatThrownBy(() -> helm(Map.of("kafka.mode", "existing"))).hasMessageContaining("kafka.bootstrap is required");
        assertThatThrownBy(() -> helm(Map.of("kafka.mode", "zookeeper"))).hasMessageContaining("kafka.mode must be");
        Manifests helm = helm(Map.of("kafka.mode", "existing", "kafka.bootstrap", "kafka-0.kafka:9093",
                "kafka.properties.security\\.protocol", "SASL_SSL",
                "kafka.credentials.speaker[0].property", "sasl.jaas.config",
                "kafka.credentials.speaker[0].secretName", "kafka-speaker", "kafka.credentials.speaker[0].secretKey", "jaas"));
        helm.validate();
        assertThat(helm.names()).noneMatch(n -> n.contains("Kafka") || n.endsWith("ledgerlb-kafka"));
        Container speaker = container(speakerPod(helm), "speaker");
        assertThat(speaker.getArgs()).contains("--kafka-property=security.protocol=SASL_SSL", "--kafka-property=sasl.jaas.config=$(LEDGERLB_KAFKA_SECRET_0)");
        Container allocator = container(helm.one(Deployment.class, "ledgerlb-allocator").getSpec().getTemplate().getSpec().getContainers(), "allocator");
        assertThat(allocator.getArgs()).contains("--kafka-property=security.protocol=SASL_SSL").noneMatch(a -> a.contains("SECRET"));
    }

    @Test
    void strimziExampleParsesAndMatchesTheLedgersTopics() throws Exception {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(Manifests.REPO.resolve("deploy/strimzi"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                all.append(Files.readString(f)).append("\n---\n");
            }
        }
        Manifests strimzi = Manifests.parse(all.toString());
        strimzi.validate();
        Set<String> topics = new TreeSet<>();
        strimzi.all(GenericKubernetesResource.class).stream().filter(o -> o.getKind().equals("KafkaTopic"))
                .forEach(t -> topics.add(t.get("spec", "topicName")));
        assertThat(topics).containsExactlyInAnyOrder("ledgerlb.events", "ledgerlb.snapshots");
        assertThat(strimzi.names()).contains("Kafka/ledgerlb-kafka", "KafkaUser/ledgerlb-allocator", "KafkaUser/ledgerlb-speaker");
    }

    /**
     * deploy/ as a user has it before `kubectl apply -k`: with the membership key they made
     * (deploy/memberlist.key is never committed), in a copy under target/.
     */
    public static Path deployWithKey() throws IOException {
        Path copy = Path.of("target/deploy").toAbsolutePath();
        try (var files = Files.walk(Manifests.REPO.resolve("deploy"))) {
            for (Path f : files.filter(p -> !p.toString().contains("/helm/")).toList()) {
                Path to = copy.resolve(Manifests.REPO.resolve("deploy").relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        Files.writeString(copy.resolve("memberlist.key"), java.util.Base64.getEncoder().encodeToString(key) + "\n");
        Path kafkaSecrets = Files.createDirectories(copy.resolve("kafka-secrets")); // as deploy/kafka-secrets.sh makes them
        for (String file : List.of("broker.pem", "ca.crt", "admin.password", "allocator.password", "speaker.password",
                "allocator.properties", "speaker.properties")) {
            Files.writeString(kafkaSecrets.resolve(file), "test " + file + "\n");
        }
        return copy;
    }

    private static List<Container> speakerPod(Manifests m) {
        return m.one(DaemonSet.class, "ledgerlb-speaker").getSpec().getTemplate().getSpec().getContainers();
    }

    private static Container container(List<Container> containers, String name) {
        return containers.stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
    }

    static Manifests helm(Map<String, String> values) {
        TemplateCommand template = new Helm(CHART).template().withName("ledgerlb").withNamespace("metallb-system");
        values.forEach(template::set);
        return Manifests.parse(template.call());
    }

    /** `kubectl kustomize DIR` (kustomize is built into kubectl; the machine's, or Debian's kubernetes-client). */
    static Manifests kustomize(Path dir) throws IOException, InterruptedException {
        assumeTrue(io.ledgerlb.lab.NetnsLab.onPath("kubectl"), "kubectl (.ci/install-deps installs it)");
        Process p = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return Manifests.parse(out);
    }

    @Test
    void aFieldTheKindsSchemaDoesNotHaveIsFound() {
        Manifests misspelled = Manifests.parse("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: x}}
                  template:
                    metadata: {labels: {app: x}}
                    spec:
                      containers: [{name: x, image: x, imagePullPolcy: Always}]
                """);
        assertThat(Manifests.unknownFields(misspelled.objects().get(0)))
                .containsExactly("Deployment.spec.template.spec.containers[0].imagePullPolcy");
    }
}
