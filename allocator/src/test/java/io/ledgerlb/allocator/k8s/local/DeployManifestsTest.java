package io.ledgerlb.allocator.k8s.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kubectl apply -k deploy/} with the real kubectl, against the local API. */
class DeployManifestsTest {
    static final Path DEPLOY = Path.of("..", "deploy");

    @Test
    void kustomizationAppliesAndSaysWhatTheBriefAsks(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Kubectl.BINARY) || System.getenv("CI") != null,
                "kubectl is not installed at " + Kubectl.BINARY);
        try (LocalKubernetesApi api = LocalKubernetesApi.start(0, dir.resolve("kubeconfig"));
             KubernetesClient client = api.client()) {
            Kubectl kubectl = new Kubectl(api.kubeconfig(), dir);
            Path deploy = io.ledgerlb.allocator.deploy.KustomizeAndHelmTest.deployWithKey();

            Kubectl.Result applied = kubectl.run("apply", "-k", deploy.toString());
            assertThat(applied.exitCode()).as(applied.toString()).isZero();
            assertThat(applied.out()).contains("deployment.apps/ledgerlb-allocator created")
                    .contains("daemonset.apps/ledgerlb-speaker created");

            assertThat(client.apiextensions().v1().customResourceDefinitions().list().getItems())
                    .extracting(crd -> crd.getMetadata().getName()).containsExactlyInAnyOrder(
                            "ipaddresspools.metallb.io", "l2advertisements.metallb.io", "bgpadvertisements.metallb.io",
                            "communities.metallb.io", "bfdprofiles.metallb.io", "bgppeers.metallb.io",
                            "servicel2statuses.metallb.io", "servicebgpstatuses.metallb.io", "configurationstates.metallb.io");
            CustomResourceDefinition peers = client.apiextensions().v1().customResourceDefinitions()
                    .withName("bgppeers.metallb.io").get();
            assertThat(peers.getSpec().getVersions()).extracting(v -> v.getName()).containsExactlyInAnyOrder("v1beta2", "v1beta1");

            Deployment allocator = client.apps().deployments().inNamespace("metallb-system")
                    .withName("ledgerlb-allocator").get();
            assertThat(allocator.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("ledgerlb-allocator");

            DaemonSet speaker = client.apps().daemonSets().inNamespace("metallb-system").withName("ledgerlb-speaker").get();
            assertThat(speaker.getSpec().getTemplate().getSpec().getHostNetwork()).isTrue();
            assertThat(speaker.getSpec().getTemplate().getSpec().getContainers().get(0).getSecurityContext()
                    .getCapabilities().getAdd()).contains("NET_RAW", "NET_ADMIN");

            List<PolicyRule> allocatorRules = client.rbac().clusterRoles().withName("ledgerlb-allocator").get().getRules();
            assertThat(allocatorRules).anyMatch(r -> r.getResources().contains("services/status")
                    && r.getVerbs().contains("update"));
            assertThat(allocatorRules).anyMatch(r -> r.getResources().contains("ipaddresspools/status"));
            assertThat(client.rbac().roles().inNamespace("metallb-system").withName("ledgerlb-speaker").get().getRules())
                    .anyMatch(r -> r.getResources().contains("servicel2statuses"));
            assertThat(client.configMaps().inNamespace("metallb-system").withName("ledgerlb-config").get().getData())
                    .containsKey("kafka-bootstrap");
            assertThat(client.apps().statefulSets().inNamespace("metallb-system").withName("ledgerlb-kafka").get())
                    .isNotNull();

            assertThat(speaker.getSpec().getTemplate().getSpec().getVolumes())
                    .anyMatch(v -> v.getSecret() != null && v.getSecret().getSecretName().startsWith("ledgerlb-memberlist-"));
            assertThat(client.secrets().inNamespace("metallb-system").list().getItems())
                    .anyMatch(s -> s.getMetadata().getName().startsWith("ledgerlb-memberlist-") && s.getData().containsKey("secretkey"));

            Kubectl.Result again = kubectl.run("apply", "-k", deploy.toString());
            assertThat(again.exitCode()).as(again.toString()).isZero();
            assertThat(again.out()).contains("deployment.apps/ledgerlb-allocator unchanged");
        }
    }
}
