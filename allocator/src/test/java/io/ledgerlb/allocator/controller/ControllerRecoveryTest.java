package io.ledgerlb.allocator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.ledgerlb.allocator.admin.LedgerQueries;
import io.ledgerlb.allocator.admin.WaitingRefusal;
import io.ledgerlb.allocator.k8s.adapter.MetalLbKinds;
import io.ledgerlb.allocator.metrics.PoolCounts;
import io.ledgerlb.events.v1.Cause;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.ledger.testing.LedgerFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The controller never drops work: failed reconciliations are retried, a periodic resync re-checks everything; MetalLB's event reasons. */
class ControllerRecoveryTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    MockCluster cluster;
    KafkaLedger ledger;
    AllocatorController controller;
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    final AtomicInteger failuresLeft = new AtomicInteger();

    @BeforeEach
    void start() {
        cluster = new MockCluster();
        ledger = LedgerFixture.open("recovery-" + UUID.randomUUID());
    }

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
        ledger.close();
        cluster.close();
    }

    private void lead(Duration resyncEvery) throws Exception {
        AllocationStep core = new CoreAllocationStep("allocator-a", null, kind -> List.of());
        controller = new AllocatorController(cluster.newClient(), ledger, new Flaky(core),
                new AllocatorController.Settings("allocator-a", null, 2, 0, resyncEvery));
        controller.startInformers();
        await().atMost(WAIT).until(controller::informersSynced);
        controller.startLeading();
    }

    @Test
    void aReconciliationThatThrowsIsRetriedUntilItSucceeds() throws Exception {
        lead(Duration.ZERO);
        cluster.pool("blue", "10.99.20.0/28");
        failuresLeft.set(3);
        cluster.loadBalancer("shop", "flaky", Map.of());
        await().atMost(WAIT).until(() -> !cluster.ingressIps("shop", "flaky").isEmpty());
        assertThat(failuresLeft.get()).isZero();
        assertThat(controller.failedReconciles()).isEqualTo(3);
        assertThat(calls.get("flaky").get()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void aPeriodicResyncDecidesEveryServiceAgainWithoutAnyChange() throws Exception {
        lead(Duration.ofMillis(200));
        cluster.pool("blue", "10.99.21.0/28");
        cluster.loadBalancer("shop", "quiet", Map.of());
        cluster.loadBalancer("shop", "refused", Map.of("metallb.io/address-pool", "does-not-exist"));
        await().atMost(WAIT).until(() -> !cluster.ingressIps("shop", "quiet").isEmpty()
                && Allocators.events(ledger).stream().anyMatch(e -> e.hasAllocationRefused()));
        int seen = calls.get("quiet").get();
        int seenRefused = calls.get("refused").get();
        long sequence = ledger.lastSequence();
        await().atMost(WAIT).until(() -> calls.get("quiet").get() >= seen + 3 && calls.get("refused").get() >= seenRefused + 3);
        assertThat(ledger.lastSequence()).as("re-checking unchanged Services, served or refused, records nothing")
                .isEqualTo(sequence);
        assertThat(Allocators.events(ledger)).filteredOn(e -> e.hasAllocationRefused()).hasSize(1);
    }

    @Test
    void eventsCarryMetalLbsReasons() throws Exception {
        lead(Duration.ZERO);
        cluster.pool("blue", "10.99.22.0/32");
        cluster.loadBalancer("shop", "old", Map.of("metallb.universe.tf/address-pool", "blue"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.events("shop", "old")).extracting(e -> e.getReason())
                .contains("IPAllocated", "deprecatedAnnotation"));
        assertThat(cluster.events("shop", "old")).filteredOn(e -> e.getReason().equals("deprecatedAnnotation"))
                .singleElement().satisfies(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getMessage()).isEqualTo("Service uses deprecated annotation metallb.universe.tf/address-pool");
                });
        cluster.loadBalancer("shop", "late", Map.of());
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.events("shop", "late"))
                .anySatisfy(e -> {
                    assertThat(e.getReason()).isEqualTo("AllocationFailed");
                    assertThat(e.getMessage()).startsWith("Failed to allocate IP for \"shop/late\": ");
                }));
        // the waiting Service gets the IP when the first one is deleted, and is told so
        cluster.client().services().inNamespace("shop").withName("old").delete();
        await().atMost(WAIT).until(() -> cluster.ingressIps("shop", "late").equals(List.of("10.99.22.0")));
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.events("shop", "late"))
                .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("IPAllocated")));
    }

    @Test
    void aWaitingServiceDeletedWhileNoAllocatorLedHasItsWaitEndedByTheNextLeader() throws Exception {
        lead(Duration.ZERO);
        cluster.pool("blue", "10.99.23.0/32");
        cluster.loadBalancer("shop", "holder", Map.of());
        await().atMost(WAIT).until(() -> !cluster.ingressIps("shop", "holder").isEmpty());
        cluster.loadBalancer("shop", "gone", Map.of());
        await().atMost(WAIT).until(() -> Allocators.events(ledger).stream().anyMatch(e -> e.hasAllocationRefused()));
        ServiceKey gone = new ServiceKey("shop", "gone");
        LedgerQueries explorer = new LedgerQueries(ledger, CoreAllocationStep.forCounting());
        assertThat(explorer.waiting()).extracting(WaitingRefusal::service).containsExactly(gone);

        controller.close(); // no allocator leads, none watches: the deletion is seen by nobody
        controller = null;
        cluster.client().services().inNamespace("shop").withName("gone").delete();
        lead(Duration.ZERO);

        await().atMost(WAIT).until(() -> Allocators.events(ledger).stream().anyMatch(e -> e.hasWaitEnded()));
        assertThat(Allocators.events(ledger)).filteredOn(e -> e.hasWaitEnded()).singleElement().satisfies(e -> {
            assertThat(ServiceKey.of(e.getWaitEnded().getService())).isEqualTo(gone);
            assertThat(e.getWaitEnded().getReason()).isEqualTo("ServiceDeleted");
        });
        assertThat(explorer.waiting()).isEmpty();
        assertThat(controller.withState(LedgerState::waiting)).isEmpty();
        assertThat(cluster.ingressIps("shop", "holder")).isNotEmpty();
    }

    /** The core step, counting calls per Service and throwing while {@link #failuresLeft} is positive for "flaky". */
    private final class Flaky implements AllocationStep {
        private final AllocationStep core;

        Flaky(AllocationStep core) {
            this.core = core;
        }

        @Override
        public Decision service(LedgerState state, Service service, Map<String, String> namespaceLabels, Cause cause,
                Instant now) {
            String name = service.getMetadata().getName();
            calls.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
            if (name.equals("flaky") && failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("injected by the test");
            }
            return core.service(state, service, namespaceLabels, cause, now);
        }

        @Override
        public Decision serviceDeleted(LedgerState state, ServiceKey service, Cause cause, Instant now) {
            return core.serviceDeleted(state, service, cause, now);
        }

        @Override
        public Decision waitEnded(ServiceKey service, String reason, Cause cause, Instant now) {
            return core.waitEnded(service, reason, cause, now);
        }

        @Override
        public Decision config(LedgerState state, MetalLbKinds kind, GenericKubernetesResource resource, Cause cause,
                Instant now) {
            return core.config(state, kind, resource, cause, now);
        }

        @Override
        public Decision configDeleted(LedgerState state, MetalLbKinds kind, String name, Cause cause, Instant now) {
            return core.configDeleted(state, kind, name, cause, now);
        }

        @Override
        public void applied(LedgerEntry entry, LedgerState state) {
            core.applied(entry, state);
        }

        @Override
        public PoolCounts count(LedgerState state, String pool) {
            return core.count(state, pool);
        }
    }
}
