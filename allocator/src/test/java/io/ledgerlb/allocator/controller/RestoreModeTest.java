package io.ledgerlb.allocator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ledgerlb.admin.v1.RestoreRequest;
import io.ledgerlb.admin.v1.StatusResponse;
import io.ledgerlb.allocator.admin.AdminServer;
import io.ledgerlb.allocator.admin.AdminService;
import io.ledgerlb.allocator.admin.LedgerQueries;
import io.ledgerlb.allocator.cli.CliUsageTest;
import io.ledgerlb.allocator.cli.CliUsageTest.Result;
import io.ledgerlb.allocator.cli.LedgerlbCommand;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.ReleaseReason;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.SnapshotInfo;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.ledger.testing.LedgerFixture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Disaster recovery of a cluster (issue 11 item 7), through the real controller (mock API in CRUD
 * mode, embedded Kafka) and the real CLI: a ledger with Services of a cluster that is gone; a new,
 * empty API; restore mode on; the old Services applied again in random order, interleaved with new
 * Services and with the pool itself. Every old Service gets its ledger IP back, no new one takes a
 * reserved IP, a released reservation goes to the Service waiting for an IP, and the audit shows it.
 */
class RestoreModeTest {
    static final Duration WAIT = Duration.ofMinutes(3);
    static final String POOL = "10.99.40.0/26"; // 64 IPs: 34 old Services + 30 new ones fill it
    static final int OLD = 34;
    static final int NEW = 30;

    @Test
    void everyOldServiceGetsItsIpBackAndNoNewcomerTakesAReservedOne() throws Exception {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        LedgerConfig config = LedgerFixture.config("restore-" + UUID.randomUUID());
        Map<ServiceKey, String> before = new HashMap<>();

        // the old cluster: 34 Services with their IPs in the ledger
        try (MockCluster old = new MockCluster(); KafkaLedger ledger = KafkaLedger.open(config)) {
            AllocatorController controller = Allocators.leading(old, ledger, "old-allocator");
            try {
                old.pool("blue", POOL);
                for (int i = 0; i < OLD; i++) {
                    old.loadBalancer(namespace(i), "old" + i, Map.of());
                }
                await().atMost(WAIT).until(() -> controller.withState(s -> s.servicesWithAssignments().size()) == OLD);
                controller.withState(s -> {
                    s.servicesWithAssignments().forEach(k -> before.put(k, s.assignmentsOf(k).iterator().next().getIp()));
                    return null;
                });
            } finally {
                controller.close();
            }
        }

        try (MockCluster fresh = new MockCluster(); KafkaLedger ledger = KafkaLedger.open(config)) {
            AllocatorController controller = Allocators.started(fresh.newClient(), ledger, "new-allocator");
            controller.restoreWhenLeading();
            controller.startLeading();
            try (AdminServer admin = adminOf(controller, ledger)) {
                String at = "127.0.0.1:" + admin.port();
                await().atMost(WAIT).until(() -> controller.restoreStatus().missing().size() == OLD);
                assertThat(controller.restoreStatus().restoring()).isTrue();
                // the empty API's resync released nothing and removed no pool
                assertThat(controller.withState(LedgerState::assignedIpCount)).isEqualTo(OLD);

                // old Services (all but two), new Services and the pool, in random order
                ServiceKey gone1 = new ServiceKey(namespace(0), "old0");
                ServiceKey gone2 = new ServiceKey(namespace(1), "old1");
                List<Runnable> applies = new ArrayList<>();
                for (int i = 2; i < OLD; i++) {
                    int n = i;
                    applies.add(() -> fresh.loadBalancer(namespace(n), "old" + n, Map.of()));
                }
                for (int j = 0; j < NEW; j++) {
                    int n = j;
                    applies.add(() -> fresh.loadBalancer(namespace(n), "new" + n, Map.of()));
                }
                applies.add(() -> fresh.pool("blue", POOL));
                Collections.shuffle(applies, random);
                applies.forEach(Runnable::run);

                await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> allHaveAnIp(fresh, OLD - 2 + NEW));
                Set<String> reserved = new HashSet<>(before.values());
                for (int i = 2; i < OLD; i++) {
                    ServiceKey key = new ServiceKey(namespace(i), "old" + i);
                    assertThat(fresh.ingressIps(key.namespace(), key.name())).as("%s (seed %d)", key, seed)
                            .containsExactly(before.get(key));
                }
                for (int j = 0; j < NEW; j++) {
                    assertThat(fresh.ingressIps(namespace(j), "new" + j)).as("new%d (seed %d)", j, seed)
                            .hasSize(1).doesNotContainAnyElementsOf(reserved);
                }
                assertThat(controller.restoreStatus().missing()).containsOnlyKeys(gone1, gone2);

                // the pool is full but for the two reservations: a late Service waits...
                fresh.loadBalancer("shop", "late", Map.of());
                await().atMost(WAIT).until(() -> !fresh.events("shop", "late").isEmpty());
                assertThat(fresh.ingressIps("shop", "late")).isEmpty();
                Result status = cli("restore", "status", "--admin", at);
                assertThat(status.exit()).as(status.err()).isZero();
                assertThat(status.out()).contains("restore mode on").contains("2 Services missing")
                        .contains(gone1 + " ").contains(before.get(gone1)).contains(before.get(gone2));

                // ...until an operator releases a missing Service's reservation: the waiting one gets it
                Result release = cli("restore", "release", gone1.toString(), "--admin", at);
                assertThat(release.exit()).as(release.err()).isZero();
                assertThat(release.out()).contains("released [" + before.get(gone1) + "]").contains("1 Services missing");
                await().atMost(WAIT).until(() -> fresh.ingressIps("shop", "late").equals(List.of(before.get(gone1))));
                Result again = cli("restore", "release", gone1.toString(), "--admin", at);
                assertThat(again.exit()).isEqualTo(LedgerlbCommand.USAGE);
                assertThat(again.err()).contains(gone1 + " is not reserved");

                // the end of restore mode releases the Service still missing
                Result end = cli("restore", "end", "--admin", at);
                assertThat(end.exit()).as(end.err()).isZero();
                assertThat(end.out()).contains("restore mode is off; released [" + before.get(gone2) + "]");
                assertThat(controller.restoreStatus().restoring()).isFalse();
                assertThat(cli("restore", "end", "--admin", at).err()).contains("restore mode is off");

                // the ledger's history: each old Service only ever held its one IP; newcomers none of those
                // before the release; the restore entries in order
                List<Event> events = Allocators.events(ledger);
                Map<ServiceKey, Set<String>> given = new HashMap<>();
                long releasedAt = Long.MAX_VALUE;
                List<String> restoreEntries = new ArrayList<>();
                for (Event e : events) {
                    switch (e.getBodyCase()) {
                        case IP_ASSIGNED -> {
                            ServiceKey key = ServiceKey.of(e.getIpAssigned().getService());
                            given.computeIfAbsent(key, k -> new HashSet<>()).add(e.getIpAssigned().getIp());
                            if (!before.containsKey(key) && e.getSequence() < releasedAt) {
                                assertThat(reserved).as("%s took a reserved IP (seed %d)", key, seed)
                                        .doesNotContain(e.getIpAssigned().getIp());
                            }
                        }
                        case RESERVATION_RELEASED -> {
                            releasedAt = e.getSequence();
                            restoreEntries.add("released " + ServiceKey.of(e.getReservationReleased().getService()));
                        }
                        case RESTORE_STARTED -> restoreEntries.add("started " + e.getRestoreStarted().getReservedServices());
                        case RESERVATION_CLAIMED -> restoreEntries.add("claimed");
                        case RESTORE_ENDED -> restoreEntries.add("ended " + e.getRestoreEnded().getReleasedServices());
                        default -> { }
                    }
                }
                before.forEach((key, ip) -> assertThat(given.get(key)).as("%s (seed %d)", key, seed).containsExactly(ip));
                List<String> expected = new ArrayList<>();
                expected.add("started " + OLD);
                expected.addAll(Collections.nCopies(OLD - 2, "claimed"));
                expected.add("released " + gone1);
                expected.add("ended 1");
                assertThat(restoreEntries).isEqualTo(expected);
                assertThat(events.stream().filter(e -> e.hasIpReleased()
                        && e.getIpReleased().getReason() == ReleaseReason.SERVICE_DELETED)
                        .map(e -> ServiceKey.of(e.getIpReleased().getService()))).containsExactly(gone1, gone2);

                // the audit shows them
                Result audit = cli("audit", "--service", gone1.toString(), "--json", "--admin", at);
                assertThat(audit.exit()).as(audit.err()).isZero();
                List<String> types = new ArrayList<>();
                new ObjectMapper().readTree(audit.out()).forEach(row -> types.add(row.get("type").asText()));
                assertThat(types).containsExactly("IpAssigned", "ReservationReleased", "IpReleased");
                JsonNode reappeared = new ObjectMapper().readTree(cli("audit", "--service", namespace(5) + "/old5",
                        "--json", "--admin", at).out());
                assertThat(reappeared.get(1).get("type").asText()).isEqualTo("ReservationClaimed");
                assertThat(reappeared.get(1).get("ip").asText()).isEqualTo(before.get(new ServiceKey(namespace(5), "old5")));
            } finally {
                controller.close();
            }
        }
    }

    private static String namespace(int i) {
        return i % 2 == 0 ? "shop" : "web";
    }

    private static boolean allHaveAnIp(MockCluster cluster, int count) {
        var services = cluster.client().services().inAnyNamespace().list().getItems();
        return services.size() == count && services.stream().allMatch(s -> s.getStatus() != null
                && s.getStatus().getLoadBalancer() != null && s.getStatus().getLoadBalancer().getIngress() != null
                && s.getStatus().getLoadBalancer().getIngress().size() == 1);
    }

    /** The admin API as `ledgerlb run` wires it to its controller. */
    private static AdminServer adminOf(AllocatorController controller, KafkaLedger ledger) throws Exception {
        AdminService service = new AdminService(new LedgerQueries(ledger, controller.step()), new AdminService.Allocator() {
            @Override
            public StatusResponse status() {
                return StatusResponse.newBuilder().setInstance("new-allocator").setLeader(controller.leading()).build();
            }

            @Override
            public SnapshotInfo takeSnapshot() {
                throw new IllegalStateException("not in this test");
            }

            @Override
            public RestoreStatus restore(RestoreRequest request) throws Exception {
                return AdminService.await(controller.restore(AdminService.command(request)));
            }
        }, () -> controller.withState(LedgerState::copy));
        return new AdminServer(new InetSocketAddress("127.0.0.1", 0), service);
    }

    private static Result cli(String... args) {
        return CliUsageTest.run(args);
    }
}
