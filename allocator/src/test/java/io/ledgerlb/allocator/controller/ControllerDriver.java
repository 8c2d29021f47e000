package io.ledgerlb.allocator.controller;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.ledgerlb.allocator.k8s.config.ConfigMapper;
import io.ledgerlb.allocator.k8s.crd.IPAddressPool;
import io.ledgerlb.allocator.controller.ConformanceTable.Pool;
import io.ledgerlb.allocator.controller.ConformanceTable.Svc;
import io.ledgerlb.allocator.k8s.adapter.MetalLbKinds;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.ledger.testing.LedgerFixture;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.Objects;
import java.util.UUID;
import org.awaitility.core.ConditionFactory;

/**
 * The real controller: fabric8's mock API in CRUD mode and a real Kafka ledger. Each step writes
 * the objects as a user would and waits until the controller's cache holds that version and it has
 * nothing left to do (no queued work, no batch in flight, no status write pending); what it decided
 * is then read from the ledger and the Services' status.
 */
final class ControllerDriver implements ConformanceDriver {
    static final Duration WAIT = Duration.ofSeconds(60);
    /** How long a settled condition must keep holding (see {@link #settled()}). */
    private static final Duration STEADY = Duration.ofMillis(100);
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    final MockCluster cluster = new MockCluster();
    final KafkaLedger ledger;
    final AllocatorController controller;

    ControllerDriver() throws Exception {
        ledger = LedgerFixture.open("conformance-" + UUID.randomUUID());
        controller = Allocators.leading(cluster, ledger, "conformance");
    }

    @Override
    public void definePool(Pool pool) {
        cluster.client().genericKubernetesResources(MetalLbKinds.IP_ADDRESS_POOL.context()).inNamespace("metallb-system")
                .resource(pool.resource()).createOr(op -> op.update());
        // the whole definition: a change of avoidBuggyIPs alone keeps the addresses
        var defined = ConfigMapper.pool(SERIALIZATION.convertValue(pool.resource(), IPAddressPool.class));
        settled().until(() -> controller.withState(s -> defined.equals(s.pools().get(pool.name())))
                && controller.idle());
    }

    @Override
    public void removePool(String name) {
        cluster.client().genericKubernetesResources(MetalLbKinds.IP_ADDRESS_POOL.context()).inNamespace("metallb-system")
                .withName(name).delete();
        settled().until(() -> controller.withState(s -> !s.pools().containsKey(name)) && controller.idle());
    }

    @Override
    public boolean apply(Svc svc) {
        long refusalsBefore = refusals(svc.key());
        Service wanted = svc.service();
        var resource = cluster.client().services().inNamespace(svc.namespace()).withName(svc.name());
        Service written;
        if (resource.get() == null) {
            // with its status, as MetalLB left it (the mock keeps status on create)
            written = cluster.client().services().inNamespace(svc.namespace()).resource(wanted).create();
        } else {
            written = resource.edit(s -> {
                s.getMetadata().setLabels(wanted.getMetadata().getLabels());
                s.getMetadata().setAnnotations(wanted.getMetadata().getAnnotations());
                s.setSpec(wanted.getSpec());
                return s;
            });
        }
        String version = written.getMetadata().getResourceVersion();
        settle(svc.key(), version);
        return refusals(svc.key()) > refusalsBefore;
    }

    @Override
    public void delete(ServiceKey key) {
        cluster.client().services().inNamespace(key.namespace()).withName(key.name()).delete();
        settle(key, null);
    }

    /** Waits until the cache holds this version (null: the Service is gone) and the controller is idle, with status written. */
    private void settle(ServiceKey key, String version) {
        settled().until(() -> cacheHolds(controller.cachedResourceVersion(key), version)
                && controller.idle() && statusMatchesLedger());
    }

    /**
     * Polls every 5 ms from the start (Awaitility's default first looks after 100 ms, which made
     * most of this test's time), and a condition counts only once it has held for {@link #STEADY}:
     * the informer puts a Service into its cache before the controller's handler queues its work,
     * so "cached and idle" alone can be true for a moment before the work starts (40 ms proved too
     * short at load 27 on 2 cores; Awaitility's default one look at 100 ms had the same race).
     */
    private static ConditionFactory settled() {
        return await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).during(STEADY);
    }

    /** The cache has this version or a later one (the status write-back makes later ones). */
    private static boolean cacheHolds(String cached, String written) {
        if (written == null || cached == null) {
            return Objects.equals(cached, written);
        }
        return Long.parseLong(cached) >= Long.parseLong(written);
    }

    /** Every Service's status shows what the ledger gives it. */
    boolean statusMatchesLedger() {
        LedgerState state = state();
        for (Service s : cluster.client().services().inAnyNamespace().list().getItems()) {
            ServiceKey key = new ServiceKey(s.getMetadata().getNamespace(), s.getMetadata().getName());
            List<String> status = cluster.ingressIps(key.namespace(), key.name()).stream().sorted().toList();
            List<String> ledgerIps = state.assignmentsOf(key).stream().map(h -> h.getIp()).sorted().toList();
            if (!status.equals(ledgerIps)) {
                return false;
            }
        }
        return true;
    }

    private final Map<ServiceKey, Set<String>> marked = new HashMap<>();

    @Override
    public void markEvents(ServiceKey key) {
        marked.put(key, cluster.events(key.namespace(), key.name()).stream().map(e -> e.getMetadata().getName())
                .collect(Collectors.toSet()));
    }

    @Override
    public Optional<List<String>> eventsSinceMark(ServiceKey key) {
        Set<String> before = marked.getOrDefault(key, Set.of());
        return Optional.of(cluster.events(key.namespace(), key.name()).stream()
                .filter(e -> !before.contains(e.getMetadata().getName()))
                .map(e -> e.getType() + " " + e.getReason()).toList());
    }

    private long refusals(ServiceKey key) {
        return Allocators.events(ledger).stream().filter(Event::hasAllocationRefused)
                .filter(e -> ServiceKey.of(e.getAllocationRefused().getService()).equals(key)).count();
    }

    @Override
    public LedgerState state() {
        return controller.withState(LedgerState::copy);
    }

    @Override
    public void close() {
        controller.close();
        ledger.close();
        cluster.close();
    }
}
