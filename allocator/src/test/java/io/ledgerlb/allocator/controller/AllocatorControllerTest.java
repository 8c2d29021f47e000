package io.ledgerlb.allocator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.ledgerlb.allocator.k8s.adapter.MetalLbKinds;
import io.ledgerlb.allocator.k8s.adapter.ServiceWriteBack;
import io.ledgerlb.events.v1.BgpPeerDefined;
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

/** The controller against fabric8's mock API (CRUD mode) and a real Kafka ledger. */
class AllocatorControllerTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    MockCluster cluster;
    KafkaLedger ledger;
    AllocatorController controller;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        ledger = LedgerFixture.open("controller-" + UUID.randomUUID());
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
    void aServiceGetsAnIpWithStatusAnnotationAndEvent() {
        cluster.pool("blue", "10.99.1.0/28");
        cluster.loadBalancer("shop", "web", Map.of());

        await().atMost(WAIT).until(() -> !cluster.ingressIps("shop", "web").isEmpty());
        String ip = cluster.ingressIps("shop", "web").get(0);
        assertThat(ip).startsWith("10.99.1.");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(cluster.service("shop", "web").getMetadata().getAnnotations())
                    .containsEntry(ServiceWriteBack.POOL_ANNOTATION, "blue");
            assertThat(cluster.events("shop", "web")).anySatisfy(e -> {
                assertThat(e.getReason()).isEqualTo("IPAllocated");
                assertThat(e.getMessage()).contains(ip);
            });
        });
        List<Event> events = Allocators.events(ledger);
        assertThat(events).filteredOn(Event::hasIpAssigned).singleElement().satisfies(e -> {
            assertThat(e.getIpAssigned().getIp()).isEqualTo(ip);
            assertThat(e.getActor()).isEqualTo("allocator-a");
            assertThat(e.getCause().getName()).isEqualTo("web");
        });
        // the pool's status shows the counts
        await().atMost(WAIT).untilAsserted(() -> assertThat(poolStatus("blue"))
                .containsEntry("assignedIPv4", 1).containsEntry("availableIPv4", 15));
    }

    @Test
    void aStatusWriteTheApiRefusesIsRetriedAndTheEventRecordedOnce() throws Exception {
        controller.close(); // this test's allocator uses a client that does not retry by itself
        controller = Allocators.started(cluster.newClient(0), ledger, "allocator-a");
        controller.startLeading();
        cluster.refusePatches("/api/v1/namespaces/shop/services/web/status", 2);
        cluster.pool("blue", "10.99.7.0/28");
        cluster.loadBalancer("shop", "web", Map.of());

        await().atMost(WAIT).until(() -> !cluster.ingressIps("shop", "web").isEmpty());
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.events("shop", "web"))
                .filteredOn(e -> e.getReason().equals("IPAllocated")).hasSize(1));
        assertThat(controller.writeBack().statusWrites()).isEqualTo(1);
        assertThat(cluster.refusalsLeft("/api/v1/namespaces/shop/services/web/status")).isLessThanOrEqualTo(0);
    }

    /**
     * Issue 12: the waiting Service is decided again in the decision that frees the IP, so a
     * newcomer created at the same moment cannot take it: in the ledger the release is followed
     * at once by the waiting Service's assignment.
     */
    @Test
    void aFreedIpGoesToTheWaitingServiceBeforeANewcomer() {
        cluster.pool("one", "10.99.8.1/32");
        cluster.loadBalancer("shop", "first", Map.of());
        await().atMost(WAIT).until(() -> !cluster.ingressIps("shop", "first").isEmpty());
        cluster.loadBalancer("shop", "waiting", Map.of());
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.events("shop", "waiting"))
                .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("AllocationFailed")));

        cluster.client().services().inNamespace("shop").withName("first").delete();
        cluster.loadBalancer("shop", "newcomer", Map.of());

        await().atMost(WAIT).until(() -> cluster.ingressIps("shop", "waiting").equals(List.of("10.99.8.1")));
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.events("shop", "newcomer"))
                .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("AllocationFailed")));
        assertThat(cluster.ingressIps("shop", "newcomer")).isEmpty();
        List<Event> events = Allocators.events(ledger);
        int released = indexOf(events, e -> e.hasIpReleased() && e.getIpReleased().getService().getName().equals("first"));
        assertThat(events.get(released + 1).hasIpAssigned()).as("the entry after the release").isTrue();
        assertThat(events.get(released + 1).getIpAssigned().getService().getName()).isEqualTo("waiting");
    }

    private static int indexOf(List<Event> events, java.util.function.Predicate<Event> which) {
        for (int i = 0; i < events.size(); i++) {
            if (which.test(events.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such event in " + events);
    }

    @Test
    void aRefusedServiceGetsAllocationFailedAndNothingElseChanges() {
        cluster.pool("blue", "10.99.2.0/30");
        cluster.loadBalancer("shop", "web", Map.of());
        await().atMost(WAIT).until(() -> !cluster.ingressIps("shop", "web").isEmpty());
        List<String> before = cluster.ingressIps("shop", "web");
        long sequenceBefore = controller.withState(s -> s.sequence());

        cluster.loadBalancer("shop", "outside", Map.of("metallb.io/loadBalancerIPs", "10.98.0.1"));

        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.events("shop", "outside"))
                .anySatisfy(e -> {
                    assertThat(e.getReason()).isEqualTo("AllocationFailed");
                    assertThat(e.getType()).isEqualTo("Warning");
                }));
        assertThat(cluster.ingressIps("shop", "outside")).isEmpty();
        assertThat(cluster.ingressIps("shop", "web")).isEqualTo(before);
        List<Event> after = Allocators.events(ledger).stream().filter(e -> e.getSequence() > sequenceBefore).toList();
        assertThat(after).isNotEmpty().allSatisfy(e -> assertThat(e.hasAllocationRefused()).isTrue());
    }

    @Test
    void anInvalidPoolGetsAFalseConditionAndChangesNothing() {
        cluster.pool("blue", "10.99.3.0/30");
        cluster.loadBalancer("shop", "web", Map.of());
        await().atMost(WAIT).until(() -> !cluster.ingressIps("shop", "web").isEmpty());
        long sequenceBefore = controller.withState(s -> s.sequence());

        cluster.pool("broken", "10.99.300.0/24");

        await().atMost(WAIT).untilAsserted(() -> assertThat(condition("broken"))
                .containsEntry("type", "Valid").containsEntry("status", "False")
                .containsEntry("reason", "InvalidConfiguration"));
        assertThat((String) condition("broken").get("message")).contains("10.99.300.0/24");
        long sequenceAfter = controller.withState(s -> s.sequence());
        List<String> pools = controller.withState(s -> List.copyOf(s.pools().keySet()));
        assertThat(sequenceAfter).isEqualTo(sequenceBefore);
        assertThat(pools).containsExactly("blue");
    }

    /**
     * A server that does not prune unknown fields (the local API) hands on a {@code spec.backend}
     * and a misspelled backend annotation: the peer is recorded as MetalLB would read it, and the
     * BGPPeer says what was ignored (condition, one Warning Event); an unknown value stays invalid.
     */
    @Test
    void aBgpPeersStrayBackendFieldAndMisspelledAnnotationAreWarnedAbout() {
        var peers = cluster.client().genericKubernetesResources(MetalLbKinds.BGP_PEER.context()).inNamespace("metallb-system");
        peers.resource(new GenericKubernetesResourceBuilder()
                .withApiVersion(MetalLbKinds.BGP_PEER.apiVersion()).withKind("BGPPeer")
                .withNewMetadata().withName("tor").withNamespace("metallb-system")
                .withAnnotations(Map.of("ledgerlb.io/bgp-backnd", "gobgp")).endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("myASN", 64500, "peerASN", 64500,
                        "peerAddress", "192.0.2.1", "backend", "gobgp")))
                .build()).create();

        await().atMost(WAIT).untilAsserted(() -> assertThat(bgpPeerCondition("tor"))
                .containsEntry("type", "Valid").containsEntry("status", "True")
                .containsEntry("reason", "AcceptedWithWarnings"));
        assertThat((String) bgpPeerCondition("tor").get("message"))
                .contains("spec.backend is not a BGPPeer field", "annotation ledgerlb.io/bgp-backnd is not one ledgerlb reads");
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.events("metallb-system", "tor"))
                .filteredOn(e -> e.getReason().equals("IgnoredConfiguration")).singleElement()
                .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning")));
        String recordedBackend = controller.withState(s -> s.bgpPeers().get("tor").getBackend());
        assertThat(recordedBackend).as("no backend recorded").isEmpty();

        GenericKubernetesResource quagga = peers.withName("tor").get();
        quagga.getMetadata().setAnnotations(Map.of("ledgerlb.io/bgp-backend", "quagga"));
        peers.resource(quagga).update();
        await().atMost(WAIT).untilAsserted(() -> assertThat(bgpPeerCondition("tor"))
                .containsEntry("status", "False").containsEntry("reason", "InvalidConfiguration"));
        assertThat((String) bgpPeerCondition("tor").get("message")).contains("must be native or gobgp, not \"quagga\"");
    }

    /**
     * MetalLB fields ledgerlb does not implement are valid input: the peer is recorded with them
     * named (the speakers then say {@code Supported=False} and open no session); a peer that sets
     * both of MetalLB's alternatives stays invalid.
     */
    @Test
    void aBgpPeerWithFieldsLedgerlbLacksIsRecordedWithThemNamed() {
        var peers = cluster.client().genericKubernetesResources(MetalLbKinds.BGP_PEER.context()).inNamespace("metallb-system");
        peers.resource(new GenericKubernetesResourceBuilder()
                .withApiVersion(MetalLbKinds.BGP_PEER.apiVersion()).withKind("BGPPeer")
                .withNewMetadata().withName("unnumbered").withNamespace("metallb-system").endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("myASN", 64500, "dynamicASN", "external",
                        "interface", "eth1", "dualStackAddressFamily", true)))
                .build()).create();

        await().atMost(WAIT).untilAsserted(() -> assertThat(bgpPeerCondition("unnumbered"))
                .containsEntry("type", "Valid").containsEntry("status", "True"));
        BgpPeerDefined recorded = controller.withState(s -> s.bgpPeers().get("unnumbered"));
        assertThat(recorded.getUnsupportedList()).satisfiesExactly(
                field -> assertThat(field).startsWith("spec.dynamicASN: "),
                field -> assertThat(field).startsWith("spec.interface: "));
        assertThat(recorded.getDualStackAddressFamily()).isTrue();

        GenericKubernetesResource both = peers.withName("unnumbered").get();
        both.setAdditionalProperty("spec", Map.of("myASN", 64500, "dynamicASN", "external", "peerASN", 64501,
                "peerAddress", "192.0.2.1"));
        peers.resource(both).update();
        await().atMost(WAIT).untilAsserted(() -> assertThat(bgpPeerCondition("unnumbered"))
                .containsEntry("status", "False").containsEntry("reason", "InvalidConfiguration"));
        assertThat((String) bgpPeerCondition("unnumbered").get("message"))
                .contains("set either spec.peerASN or spec.dynamicASN, not both");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> bgpPeerCondition(String name) {
        GenericKubernetesResource peer = cluster.client().genericKubernetesResources(MetalLbKinds.BGP_PEER.context())
                .inNamespace("metallb-system").withName(name).get();
        Object status = peer.getAdditionalProperties().get("status");
        Object conditions = status instanceof Map<?, ?> m ? m.get("conditions") : null;
        return conditions instanceof List<?> list && !list.isEmpty() ? (Map<String, Object>) list.get(0) : Map.of();
    }

    @Test
    void statusThatDriftsFromTheLedgerIsCorrected() {
        cluster.pool("blue", "10.99.4.0/28");
        cluster.loadBalancer("shop", "web", Map.of());
        await().atMost(WAIT).until(() -> !cluster.ingressIps("shop", "web").isEmpty());
        List<String> truth = cluster.ingressIps("shop", "web");

        cluster.client().services().inNamespace("shop").withName("web").subresource("status")
                .patch(PatchContext.of(PatchType.JSON),
                        "[{\"op\":\"add\",\"path\":\"/status\",\"value\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"10.99.4.9\"}]}}}]");

        await().atMost(WAIT).until(() -> cluster.ingressIps("shop", "web").equals(truth));
    }

    @Test
    void aDeletedServiceReleasesItsIpAndGetsItBackWhenCreatedAgain() {
        cluster.pool("blue", "10.99.5.0/28");
        cluster.loadBalancer("shop", "a", Map.of());
        await().atMost(WAIT).until(() -> !cluster.ingressIps("shop", "a").isEmpty());
        String ip = cluster.ingressIps("shop", "a").get(0);

        cluster.client().services().inNamespace("shop").withName("a").delete();
        await().atMost(WAIT).until(() -> controller.withState(s -> !s.isAssigned(ip)));
        cluster.loadBalancer("shop", "a", Map.of());

        await().atMost(WAIT).until(() -> cluster.ingressIps("shop", "a").equals(List.of(ip)));
    }

    // ---- a Namespace's labels change under pools with serviceAllocation.namespaceSelectors

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

    @Test
    void aRequestedIpFromAPoolThatDoesNotSelectTheServiceIsRefusedUntilItDoesAndReleasedWhenItNoLongerDoes() {
        namespace("shop", Map.of("team", "red"));
        cluster.pool("everyone", "10.99.8.0/28");
        teamPool("blue-pool", "10.99.9.0/28", "blue");
        await().atMost(WAIT).until(() -> controller.withState(s -> s.pools().size()) == 2);
        cluster.loadBalancer("shop", "other", Map.of());
        await().atMost(WAIT).until(() -> !cluster.ingressIps("shop", "other").isEmpty());
        List<String> otherBefore = cluster.ingressIps("shop", "other");
        long sequenceBefore = controller.withState(s -> s.sequence());

        cluster.loadBalancer("shop", "web", Map.of("metallb.io/loadBalancerIPs", "10.99.9.5"));

        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.events("shop", "web")).anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo("AllocationFailed");
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getMessage()).contains("10.99.9.5", "pool blue-pool", "namespace shop {team=red}",
                    "namespaceSelectors");
        }));
        assertThat(cluster.ingressIps("shop", "web")).isEmpty();
        assertThat(cluster.ingressIps("shop", "other")).isEqualTo(otherBefore);
        List<Event> after = Allocators.events(ledger).stream().filter(e -> e.getSequence() > sequenceBefore).toList();
        assertThat(after).isNotEmpty().allSatisfy(e -> {
            assertThat(e.hasAllocationRefused()).isTrue();
            assertThat(e.getAllocationRefused().getReason()).isEqualTo("PoolDoesNotSelectService");
        });

        // the namespace comes to match: the Service gets the IP it asked for
        namespace("shop", Map.of("team", "blue"));
        await().atMost(WAIT).until(() -> cluster.ingressIps("shop", "web").equals(List.of("10.99.9.5")));

        // and no longer matches: the IP is released (it is not moved: it was asked for)
        namespace("shop", Map.of("team", "red"));
        await().atMost(WAIT).until(() -> cluster.ingressIps("shop", "web").isEmpty());
        assertThat(released()).singleElement().satisfies(r -> {
            assertThat(r.getIp()).isEqualTo("10.99.9.5");
            assertThat(r.getReason()).isEqualTo(ReleaseReason.NO_LONGER_SELECTED);
        });
        boolean stillAssigned = controller.withState(s -> s.isAssigned("10.99.9.5"));
        assertThat(stillAssigned).isFalse();
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

    @SuppressWarnings("unchecked")
    private Map<String, Object> poolStatus(String name) {
        GenericKubernetesResource pool = cluster.client().genericKubernetesResources(MetalLbKinds.IP_ADDRESS_POOL.context())
                .inNamespace("metallb-system").withName(name).get();
        Object status = pool.getAdditionalProperties().get("status");
        return status == null ? Map.of() : (Map<String, Object>) status;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> condition(String pool) {
        Object conditions = poolStatus(pool).get("conditions");
        return conditions instanceof List<?> list && !list.isEmpty() ? (Map<String, Object>) list.get(0) : Map.of();
    }
}
