package io.ledgerlb.allocator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.ledgerlb.allocator.k8s.crd.ConfigurationState;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.testing.LedgerFixture;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a MetalLB user sees of the controller beyond Services: the {@code ConfigurationState}
 * named {@code controller}, and {@code --lb-class} (a Service whose {@code loadBalancerClass} is
 * set is served only by an allocator given that class; one given none serves only Services
 * without a class). Real controller, mock API, real Kafka.
 */
class MetalLbSurfaceTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String NAMESPACE = "metallb-system";

    final MockCluster cluster = new MockCluster();
    final KafkaLedger ledger = LedgerFixture.open("surface-" + UUID.randomUUID());
    AllocatorController controller;

    @AfterEach
    void stop() {
        Allocators.closeAll(controller, ledger, cluster);
    }

    void lead(String loadBalancerClass) throws Exception {
        controller = AllocatorController.withCoreStep(cluster.newClient(), ledger,
                new AllocatorController.Settings("allocator-a", loadBalancerClass, 4, 0));
        controller.reportConfigurationStateIn(NAMESPACE);
        controller.startInformers();
        await().atMost(WAIT).until(controller::informersSynced);
        controller.startLeading();
    }

    ConfigurationState.Status configurationState() {
        ConfigurationState state = cluster.client().resources(ConfigurationState.class).inNamespace(NAMESPACE)
                .withName(ConfigurationState.CONTROLLER).get();
        return state == null ? null : state.getStatus();
    }

    @Test
    void configurationStateSaysInvalidWithTheProblemAndValidOnceFixed() throws Exception {
        lead(null);
        cluster.pool("blue", "10.99.3.0/28");
        await().atMost(WAIT).untilAsserted(() -> assertThat(configurationState()).isNotNull()
                .satisfies(s -> assertThat(s.result()).isEqualTo(ConfigurationState.Result.Valid)));

        cluster.pool("broken", "not-an-address");
        await().atMost(WAIT).untilAsserted(() -> {
            ConfigurationState.Status status = configurationState();
            assertThat(status.result()).isEqualTo(ConfigurationState.Result.Invalid);
            assertThat(status.errorSummary()).startsWith("IPAddressPool metallb-system/broken: ")
                    .contains("not-an-address");
            assertThat(status.conditions()).singleElement().satisfies(c -> {
                assertThat(c.getType()).isEqualTo("configReconcilerValid");
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo("ConfigurationError");
            });
        });
        ConfigurationState state = cluster.client().resources(ConfigurationState.class).inNamespace(NAMESPACE)
                .withName(ConfigurationState.CONTROLLER).get();
        assertThat(state.getMetadata().getLabels()).containsEntry("metallb.io/component-type", "controller");

        cluster.pool("broken", "10.99.4.0/28");
        await().atMost(WAIT).untilAsserted(() -> {
            ConfigurationState.Status status = configurationState();
            assertThat(status.result()).isEqualTo(ConfigurationState.Result.Valid);
            assertThat(status.errorSummary()).isEmpty();
            assertThat(status.conditions()).singleElement().satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getReason()).isEqualTo("Reconciled");
            });
        });
    }

    void classed(String name, String loadBalancerClass) {
        cluster.client().services().inNamespace("shop").resource(new ServiceBuilder()
                .withNewMetadata().withNamespace("shop").withName(name).endMetadata()
                .withNewSpec().withType("LoadBalancer").withLoadBalancerClass(loadBalancerClass)
                .addNewPort().withPort(80).withProtocol("TCP").endPort().addToSelector("app", name).endSpec()
                .build()).create();
    }

    @Test
    void anAllocatorWithAClassServesOnlyServicesOfThatClass() throws Exception {
        lead("example.com/lb");
        cluster.pool("blue", "10.99.5.0/28");
        classed("other", "example.com/other");
        cluster.loadBalancer("shop", "unclassed", Map.of());
        classed("mine", "example.com/lb"); // created last: once it has an IP, the others were seen before it

        await().atMost(WAIT).until(() -> !cluster.ingressIps("shop", "mine").isEmpty());
        assertThat(cluster.ingressIps("shop", "other")).isEmpty();
        assertThat(cluster.ingressIps("shop", "unclassed")).isEmpty();
        assertThat((int) controller.withState(s -> s.servicesWithAssignments().size())).isEqualTo(1);
    }

    @Test
    void anAllocatorWithoutAClassServesOnlyServicesWithoutOne() throws Exception {
        lead(null);
        cluster.pool("blue", "10.99.6.0/28");
        classed("other", "example.com/other");
        cluster.loadBalancer("shop", "unclassed", Map.of());

        await().atMost(WAIT).until(() -> !cluster.ingressIps("shop", "unclassed").isEmpty());
        assertThat(cluster.ingressIps("shop", "other")).isEmpty();
        assertThat((int) controller.withState(s -> s.servicesWithAssignments().size())).isEqualTo(1);
    }
}
