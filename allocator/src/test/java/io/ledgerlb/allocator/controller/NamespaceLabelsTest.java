package io.ledgerlb.allocator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.ledgerlb.allocator.k8s.adapter.MetalLbKinds;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpReleased;
import io.ledgerlb.events.v1.ReleaseReason;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.testing.LedgerFixture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Namespace's labels change under pools with {@code serviceAllocation.namespaceSelectors}: the
 * controller places its Services again (mock API in CRUD mode, real Kafka).
 */
class NamespaceLabelsTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    MockCluster cluster;
    KafkaLedger ledger;
    AllocatorController controller;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        ledger = LedgerFixture.open("namespace-labels-" + UUID.randomUUID());
        controller = Allocators.leading(cluster, ledger, "allocator-a");
    }

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
        ledger.close();
        cluster.close();
    }

    @Test
    void aRefusedServiceGetsAnIpOnceItsNamespaceMatchesAndLosesItWhenItNoLongerDoes() {
        namespace("shop", Map.of());
        teamPool("blue-pool", "10.99.7.0/28", "blue");
        await().atMost(WAIT).until(() -> controller.withState(s -> s.pools().size()) == 1);
        cluster.loadBalancer("shop", "web", Map.of());
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.events("shop", "web"))
                .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("AllocationFailed")));
        assertThat(cluster.ingressIps("shop", "web")).isEmpty();

        namespace("shop", Map.of("team", "blue"));
        await().atMost(WAIT).until(() -> !cluster.ingressIps("shop", "web").isEmpty());
        String ip = cluster.ingressIps("shop", "web").get(0);
        assertThat(ip).startsWith("10.99.7.");

        namespace("shop", Map.of("team", "red"));
        await().atMost(WAIT).until(() -> cluster.ingressIps("shop", "web").isEmpty());
        boolean stillAssigned = controller.withState(s -> s.isAssigned(ip));
        assertThat(stillAssigned).isFalse();
        assertThat(released()).singleElement().satisfies(r -> {
            assertThat(r.getIp()).isEqualTo(ip);
            assertThat(r.getReason()).isEqualTo(ReleaseReason.NO_LONGER_SELECTED);
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.events("shop", "web"))
                .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("ClearAssignment")));
    }

    @Test
    void aServiceMovesToAPoolThatStillSelectsIt() {
        namespace("shop", Map.of("team", "blue"));
        cluster.pool("everyone", "10.99.8.0/28");
        teamPool("blue-pool", "10.99.7.0/28", "blue");
        await().atMost(WAIT).until(() -> controller.withState(s -> s.pools().size()) == 2);
        cluster.loadBalancer("shop", "web", Map.of());
        await().atMost(WAIT).until(() -> cluster.ingressIps("shop", "web").equals(List.of("10.99.7.0")));

        namespace("shop", Map.of("team", "red"));
        await().atMost(WAIT).until(() -> cluster.ingressIps("shop", "web").equals(List.of("10.99.8.0")));
        assertThat(released()).singleElement().satisfies(r -> {
            assertThat(r.getIp()).isEqualTo("10.99.7.0");
            assertThat(r.getReason()).isEqualTo(ReleaseReason.NO_LONGER_SELECTED);
        });
    }

    private List<IpReleased> released() {
        return Allocators.events(ledger).stream().filter(Event::hasIpReleased).map(Event::getIpReleased).toList();
    }

    private void namespace(String name, Map<String, String> labels) {
        Namespace ns = new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().build();
        cluster.client().namespaces().resource(ns).createOr(op -> op.update());
    }

    /** A pool for the namespaces labelled {@code team=<team>}. */
    private void teamPool(String name, String cidr, String team) {
        cluster.client().genericKubernetesResources(MetalLbKinds.IP_ADDRESS_POOL.context()).inNamespace("metallb-system")
                .resource(new GenericKubernetesResourceBuilder()
                        .withApiVersion(MetalLbKinds.IP_ADDRESS_POOL.apiVersion()).withKind("IPAddressPool")
                        .withNewMetadata().withName(name).withNamespace("metallb-system").endMetadata()
                        .withAdditionalProperties(Map.of("spec", Map.of("addresses", List.of(cidr),
                                "serviceAllocation", Map.of("namespaceSelectors",
                                        List.of(Map.of("matchLabels", Map.of("team", team)))))))
                        .build())
                .create();
    }
}
