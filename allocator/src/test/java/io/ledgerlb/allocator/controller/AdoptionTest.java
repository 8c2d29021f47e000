package io.ledgerlb.allocator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ledgerlb.allocator.controller.ConformanceTable.Pool;
import io.ledgerlb.allocator.controller.ConformanceTable.Svc;
import io.ledgerlb.allocator.core.Allocator;
import io.ledgerlb.allocator.k8s.adapter.MetalLbKinds;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.ledger.testing.LedgerFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Migration from MetalLB: 1,000 Services whose status holds the IPs MetalLB gave them (shared IPs,
 * dual-stack, requested pools and IPs, a namespace-scoped pool), in an order the allocator's own
 * would not produce, all exist before the allocator first leads. Every one keeps its IPs, and the
 * ledger records each as adopted from status.
 */
class AdoptionTest {
    static final Duration WAIT = Duration.ofMinutes(3);

    @Test
    void aThousandMetalLbServicesKeepEveryIpWhenTheAllocatorFirstLeads() throws Exception {
        List<Pool> pools = List.of(
                Pool.of("auto", "10.99.32.0/22", "fd00:99:32::/116"),
                Pool.of("manual", "10.99.40.0/24").manual(),
                Pool.of("team-a", "10.99.41.0/24").forNamespaces("team-a"));
        List<Svc> services = new ArrayList<>();
        int autoTop = 1023; // plain Services hold auto IPs from the top down: the allocator's lowest-first would renumber them
        int v6 = 4000;
        for (int i = 0; i < 1000; i++) {
            String name = "svc-" + i;
            Svc svc = switch (i % 10) {
                case 0 -> Svc.of(name).families("RequireDualStack", "IPv4", "IPv6")
                        .status(auto(autoTop--), "fd00:99:32::" + Integer.toHexString(v6--));
                case 1 -> Svc.of(name).pool("manual").status("10.99.40." + (i / 10 % 250 + 1));
                case 2 -> Svc.of(name).sharing("pair-" + (i / 20)).ports("tcp/" + (80 + i / 10 % 2))
                        .status(auto(100 + i / 20)); // two Services (i and i+10) on each IP
                case 3 -> Svc.of(name).ips(auto(autoTop)).status(auto(autoTop--));
                case 4 -> Svc.of(name).in("team-a").status("10.99.41." + (i / 10 % 250 + 1));
                default -> Svc.of(name).status(auto(autoTop--));
            };
            services.add(svc);
        }
        try (MockCluster cluster = new MockCluster();
             KafkaLedger ledger = LedgerFixture.open("adoption-" + UUID.randomUUID())) {
            for (Pool pool : pools) {
                cluster.client().genericKubernetesResources(MetalLbKinds.IP_ADDRESS_POOL.context())
                        .inNamespace("metallb-system").resource(pool.resource()).create();
            }
            for (Svc svc : services) {
                cluster.client().services().inNamespace(svc.namespace()).resource(svc.service()).create();
            }
            AllocatorController controller = Allocators.started(cluster.newClient(), ledger, "allocator-a");
            try {
                controller.startLeading();
                await().atMost(WAIT).until(() -> controller.withState(s -> s.servicesWithAssignments().size()) == 1000
                        && controller.idle());
                Map<ServiceKey, List<String>> moved = new HashMap<>();
                for (Svc svc : services) {
                    List<String> held = controller.withState(s -> s.assignmentsOf(svc.key()).stream()
                            .map(h -> h.getIp()).sorted().toList());
                    List<String> before = svc.statusIps().stream().sorted().toList();
                    if (!held.equals(before)) {
                        moved.put(svc.key(), held);
                    }
                    assertThat(cluster.ingressIps(svc.namespace(), svc.name())).containsExactlyInAnyOrderElementsOf(before);
                }
                assertThat(moved).as("Services whose IPs moved").isEmpty();
                assertThat(Allocators.events(ledger)).filteredOn(Event::hasIpAssigned).hasSize(1100)
                        .allSatisfy(e -> assertThat(e.getCause().getReason()).isEqualTo(Allocator.ADOPTED_FROM_STATUS));
            } finally {
                controller.close();
            }
        }
    }

    private static String auto(int offset) {
        return "10.99." + (32 + offset / 256) + "." + (offset % 256);
    }
}
