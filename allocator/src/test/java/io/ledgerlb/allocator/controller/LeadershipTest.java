package io.ledgerlb.allocator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
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

/** Two allocators on one cluster and one ledger: only the leader writes; when it goes, the other takes over. */
class LeadershipTest {
    static final Duration WAIT = Duration.ofMinutes(2);

    @Test
    void aDeposedWriterIsFencedAndStopsWriting() throws Exception {
        try (MockCluster cluster = new MockCluster()) {
            KafkaLedger ledgerA = LedgerFixture.open("fence-" + UUID.randomUUID());
            KafkaLedger ledgerB = KafkaLedger.open(ledgerA.config());
            AllocatorController a = Allocators.leading(cluster, ledgerA, "allocator-a");
            cluster.pool("blue", "10.99.32.0/24");
            cluster.loadBalancer("shop", "first", Map.of());
            await().atMost(WAIT).until(() -> !cluster.ingressIps("shop", "first").isEmpty());

            // B opens the writer while A still believes it leads (as after a lost Lease A has not noticed yet)
            AllocatorController b = Allocators.leading(cluster, ledgerB, "allocator-b");
            long takeover = b.withState(s -> s.sequence());
            for (int i = 0; i < 20; i++) {
                cluster.loadBalancer("shop", "svc" + i, Map.of());
            }
            await().atMost(WAIT).until(() -> !a.leading());
            await().atMost(WAIT).until(() -> {
                for (int i = 0; i < 20; i++) {
                    if (cluster.ingressIps("shop", "svc" + i).isEmpty()) {
                        return false;
                    }
                }
                return true;
            });
            List<Event> after = Allocators.events(ledgerB).stream().filter(e -> e.getSequence() > takeover).toList();
            assertThat(after).isNotEmpty().allSatisfy(e -> assertThat(e.getActor()).isEqualTo("allocator-b"));
            assertNoDuplicates(ledgerB);
            a.close();
            b.close();
            ledgerA.close();
            ledgerB.close();
        }
    }

    @Test
    void onlyTheLeaderWritesAndTheOtherTakesOver() throws Exception {
        try (MockCluster cluster = new MockCluster()) {
            KafkaLedger ledgerA = LedgerFixture.open("lease-" + UUID.randomUUID());
            KafkaLedger ledgerB = KafkaLedger.open(ledgerA.config());
            KubernetesClient clientA = cluster.newClient();
            KubernetesClient clientB = cluster.newClient();
            AllocatorController a = Allocators.started(clientA, ledgerA, "allocator-a");
            AllocatorController b = Allocators.started(clientB, ledgerB, "allocator-b");
            Leadership.Settings lease = new Leadership.Settings("ledgerlb-system", "ledgerlb-allocator",
                    Duration.ofSeconds(4), Duration.ofSeconds(3), Duration.ofMillis(500));
            Leadership leadA = new Leadership(clientA, a, lease, "allocator-a");
            Leadership leadB = new Leadership(clientB, b, lease, "allocator-b");
            leadA.start();
            leadB.start();
            await().atMost(WAIT).until(() -> a.leading() || b.leading());
            assertThat(a.leading() && b.leading()).isFalse();
            AllocatorController leader = a.leading() ? a : b;
            AllocatorController other = leader == a ? b : a;
            String leaderName = leader == a ? "allocator-a" : "allocator-b";
            String otherName = leader == a ? "allocator-b" : "allocator-a";

            cluster.pool("blue", "10.99.33.0/24");
            for (int i = 0; i < 30; i++) {
                cluster.loadBalancer("shop", "svc" + i, Map.of());
            }
            await().atMost(WAIT).until(() -> allHaveIps(cluster, 30));
            assertThat(Allocators.events(ledgerA)).isNotEmpty()
                    .allSatisfy(e -> assertThat(e.getActor()).isEqualTo(leaderName));
            long handover = leader.withState(s -> s.sequence());

            // the leader goes away; the other takes over the Lease and the ledger
            (leader == a ? leadA : leadB).close();
            leader.close();
            await().atMost(WAIT).until(other::leading);
            for (int i = 30; i < 60; i++) {
                cluster.loadBalancer("shop", "svc" + i, Map.of());
            }
            await().atMost(WAIT).until(() -> allHaveIps(cluster, 60));
            assertThat(Allocators.events(ledgerA).stream().filter(e -> e.getSequence() > handover))
                    .isNotEmpty().allSatisfy(e -> assertThat(e.getActor()).isEqualTo(otherName));
            assertNoDuplicates(ledgerA);

            (leader == a ? leadB : leadA).close();
            other.close();
            ledgerA.close();
            ledgerB.close();
        }
    }

    private static boolean allHaveIps(MockCluster cluster, int count) {
        for (int i = 0; i < count; i++) {
            if (cluster.ingressIps("shop", "svc" + i).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** No IP given to two Services, and no Service given two IPs, over the whole history. */
    private static void assertNoDuplicates(KafkaLedger ledger) {
        Map<ServiceKey, Set<String>> given = new HashMap<>();
        Map<String, Set<ServiceKey>> holders = new HashMap<>();
        for (Event e : Allocators.events(ledger)) {
            if (e.hasIpAssigned()) {
                ServiceKey key = ServiceKey.of(e.getIpAssigned().getService());
                given.computeIfAbsent(key, k -> new HashSet<>()).add(e.getIpAssigned().getIp());
                holders.computeIfAbsent(e.getIpAssigned().getIp(), k -> new HashSet<>()).add(key);
            }
        }
        assertThat(given.values()).allSatisfy(ips -> assertThat(ips).hasSize(1));
        assertThat(holders.values()).allSatisfy(keys -> assertThat(keys).hasSize(1));
    }
}
