package io.ledgerlb.allocator.k8s.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ledgerlb.allocator.k8s.adapter.MetalLbKinds;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local API keeps its objects across a restart, as a real API server does: uids, specs, statuses. */
class LocalApiPersistenceTest {

    @Test
    void objectsComeBackAfterARestartWithTheirUidAndStatus(@TempDir Path dir) {
        Path objects = dir.resolve("kube-objects.jsonl");
        String uid;
        try (LocalKubernetesApi api = LocalKubernetesApi.start(0, dir.resolve("kubeconfig"), objects);
             KubernetesClient client = api.client()) {
            Service web = client.services().inNamespace("default").resource(service("web")).create();
            uid = web.getMetadata().getUid();
            web.setStatus(new io.fabric8.kubernetes.api.model.ServiceStatusBuilder().withNewLoadBalancer()
                    .addNewIngress().withIp("10.99.0.7").endIngress().endLoadBalancer().build());
            client.services().inNamespace("default").resource(web).updateStatus();
            client.services().inNamespace("default").resource(service("gone")).create();
            client.services().inNamespace("default").withName("gone").delete();
            client.genericKubernetesResources(MetalLbKinds.IP_ADDRESS_POOL.context()).inNamespace("metallb-system")
                    .resource(new GenericKubernetesResourceBuilder()
                            .withApiVersion(MetalLbKinds.IP_ADDRESS_POOL.apiVersion()).withKind("IPAddressPool")
                            .withNewMetadata().withName("blue").withNamespace("metallb-system").endMetadata()
                            .withAdditionalProperties(Map.of("spec", Map.of("addresses", List.of("10.99.0.0/24"))))
                            .build()).create();
        }

        try (LocalKubernetesApi api = LocalKubernetesApi.start(0, dir.resolve("kubeconfig"), objects);
             KubernetesClient client = api.client()) {
            Service web = client.services().inNamespace("default").withName("web").get();
            assertThat(web).isNotNull();
            assertThat(web.getMetadata().getUid()).isEqualTo(uid);
            assertThat(web.getStatus().getLoadBalancer().getIngress().get(0).getIp()).isEqualTo("10.99.0.7");
            assertThat(client.services().inNamespace("default").withName("gone").get()).isNull();
            assertThat(client.genericKubernetesResources(MetalLbKinds.IP_ADDRESS_POOL.context())
                    .inNamespace("metallb-system").withName("blue").get()).isNotNull();
            assertThat(client.services().inAnyNamespace().list().getItems()).hasSize(1);
            client.services().inNamespace("default").resource(service("new")).create(); // and it goes on working
            assertThat(client.services().inNamespace("default").list().getItems()).hasSize(2);
        }
    }

    private static Service service(String name) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withType("LoadBalancer").addNewPort().withPort(80).withProtocol("TCP").endPort().endSpec()
                .build();
    }
}
