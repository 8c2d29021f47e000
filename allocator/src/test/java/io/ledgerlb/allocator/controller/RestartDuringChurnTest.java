package io.ledgerlb.allocator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.ledger.testing.LedgerFixture;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * 1,000 Services come and go while the allocator is restarted twice (a new controller and a new
 * ledger client each time, as a new process would have): no Service's IP ever moves, no IP is held
 * twice, and every Service's status is what the ledger says.
 */
class RestartDuringChurnTest {
    static final Duration WAIT = Duration.ofMinutes(3);

    @Test
    void noIpMovesAndNoneIsDoublyAssigned() throws Exception {
        try (MockCluster cluster = new MockCluster()) {
            KafkaLedger ledger = LedgerFixture.open("churn-" + UUID.randomUUID());
            AllocatorController controller = Allocators.leading(cluster, ledger, "allocator-1");
            cluster.pool("big", "10.99.16.0/20");

            for (int i = 0; i < 500; i++) {
                cluster.loadBalancer("ns" + (i % 5), "svc" + i, Map.of());
            }
            // restart while the first batch is still being worked through
            await().atMost(WAIT).until(() -> controller.decisions() >= 150);
            controller.close();
            ledger.close();
            KafkaLedger second = KafkaLedger.open(ledger.config());
            AllocatorController restarted = Allocators.leading(cluster, second, "allocator-2");

            for (int i = 500; i < 1000; i++) {
                cluster.loadBalancer("ns" + (i % 5), "svc" + i, Map.of());
            }
            for (int i = 0; i < 1000; i += 10) {
                cluster.client().services().inNamespace("ns" + (i % 5)).withName("svc" + i).delete();
            }
            await().atMost(WAIT).until(() -> restarted.decisions() >= 300);
            restarted.close();
            second.close();
            KafkaLedger third = KafkaLedger.open(ledger.config());
            AllocatorController last = Allocators.leading(cluster, third, "allocator-3");
            try {
                await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> allHaveStatus(cluster));

                // the ledger's history: each Service was only ever given one IP
                Map<ServiceKey, Set<String>> given = new HashMap<>();
                for (Event e : Allocators.events(third)) {
                    if (e.hasIpAssigned()) {
                        given.computeIfAbsent(ServiceKey.of(e.getIpAssigned().getService()), k -> new HashSet<>())
                                .add(e.getIpAssigned().getIp());
                    }
                }
                // (a Service deleted before the allocator reached it never got one)
                assertThat(given.size()).isBetween(900, 1000);
                assertThat(given.values()).allSatisfy(ips -> assertThat(ips).hasSize(1));

                // the cluster: 900 Services, distinct IPs, each the ledger's
                Map<String, ServiceKey> holder = new HashMap<>();
                for (var s : cluster.client().services().inAnyNamespace().list().getItems()) {
                    ServiceKey key = new ServiceKey(s.getMetadata().getNamespace(), s.getMetadata().getName());
                    List<String> ips = cluster.ingressIps(key.namespace(), key.name());
                    assertThat(ips).hasSize(1);
                    assertThat(holder.put(ips.get(0), key)).as("IP %s held twice", ips.get(0)).isNull();
                    assertThat(given.get(key)).containsExactly(ips.get(0));
                    List<String> inLedger = last.withState(st -> st.assignmentsOf(key).stream()
                            .map(a -> a.getIp()).toList());
                    assertThat(inLedger).isEqualTo(ips);
                }
                assertThat(holder).hasSize(900);
                int held = last.withState(st -> st.assignedIpCount());
                assertThat(held).isEqualTo(900);
            } finally {
                last.close();
                third.close();
            }
        }
    }

    private static boolean allHaveStatus(MockCluster cluster) {
        var services = cluster.client().services().inAnyNamespace().list().getItems();
        return services.size() == 900 && services.stream().allMatch(s -> s.getStatus() != null
                && s.getStatus().getLoadBalancer() != null && s.getStatus().getLoadBalancer().getIngress() != null
                && s.getStatus().getLoadBalancer().getIngress().size() == 1);
    }
}
