package io.ledgerlb.bench.allocator;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.ledgerlb.allocator.controller.AllocatorController;
import io.ledgerlb.allocator.k8s.adapter.MetalLbKinds;
import io.ledgerlb.bench.TempDirs;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * End to end: N Services created on fabric8's mock API (CRUD mode) → all have
 * status.loadBalancer.ingress, through the allocator with a real embedded Kafka ledger (the
 * decisions waiting are committed in one transaction). Also reported: when all N were committed
 * in the ledger, which is the allocator's own pipeline (informer → step → Kafka → fold).
 *
 * <p>Reference, same run, on a fresh mock of its own: a client that already knows the answers
 * creates the same N Services and writes what the allocator writes for each (status patch,
 * annotation patch, one Event), with as many threads as the allocator's status writers. The
 * mock answers each request by scanning its whole store, so it is the bottleneck of both.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.ledgerlb.bench.allocator.EndToEndAllocation [services] [waiting at takeover]</pre>
 */
public final class EndToEndAllocation {
    private static final int WRITERS = 4;
    /** The mock logs every request through java.util.logging; kept so the level sticks. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int waiting = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        double takeover = takeoverRate(waiting);
        System.out.printf("allocator taking over with %d Services waiting -> all committed in the ledger: %.0f Services/s%n",
                waiting, takeover);
        double reference = referenceRate(count);
        System.out.printf("services: %d%n", count);
        System.out.printf("reference: a client creating the Services and writing status, annotation and an event itself: %.0f Services/s (%d threads)%n",
                reference, WRITERS);
        Rates allocator = allocatorRates(count);
        System.out.printf("allocator: created -> all committed in the ledger: %.0f Services/s%n", allocator.ledger());
        System.out.printf("allocator: created -> all have status: %.0f Services/s%n", allocator.status());
        System.out.printf("ratio allocator/reference (to status): %.2f%n", allocator.status() / reference);
        System.exit(0);
    }

    record Rates(double ledger, double status) {}

    private static double referenceRate(int count) throws Exception {
        KubernetesMockServer server = mockApi();
        try (KubernetesClient client = server.createClient()) {
            ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
            long start = System.nanoTime();
            createServices(client, "reference", count);
            List<Future<?>> done = IntStream.range(0, count).<Future<?>>mapToObj(i -> pool.submit(() -> {
                var service = client.services().inNamespace("reference").withName("svc" + i);
                service.subresource("status").patch(PatchContext.of(PatchType.JSON),
                        "[{\"op\":\"add\",\"path\":\"/status\",\"value\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"10.96."
                                + (i / 256) + "." + (i % 256) + "\"}]}}}]");
                service.patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"add\",\"path\":\"/metadata/annotations\","
                        + "\"value\":{\"metallb.io/ip-allocated-from-pool\":\"bench\"}}]");
                client.v1().events().inNamespace("reference").resource(new EventBuilder().withNewMetadata()
                        .withName("svc" + i + ".ip").withNamespace("reference").endMetadata()
                        .withReason("IPAllocated").withMessage("Assigned IP").withType("Normal").build()).create();
            })).toList();
            for (Future<?> f : done) {
                f.get();
            }
            double rate = count / ((System.nanoTime() - start) / 1e9);
            pool.shutdown();
            return rate;
        } finally {
            destroy(server);
        }
    }

    private static Rates allocatorRates(int count) throws Exception {
        try (Allocation run = Allocation.start("ledgerlb-bench-e2e-")) {
            KubernetesClient client = run.client();
            AllocatorController controller = run.controller();
            run.syncInformers();
            controller.startLeading();
            createPool(client);
            while (controller.withState(s -> s.pools().isEmpty())) {
                Thread.sleep(10);
            }
            long start = System.nanoTime();
            long inLedger = 0;
            createServices(client, "bench", count);
            long lastPrint = start;
            // the allocator counts the status patches the API accepted; checked against the API below
            while (controller.writeBack().statusWrites() < count) {
                Thread.sleep(2);
                if (inLedger == 0 && controller.withState(s -> s.assignedIpCount()) >= count) {
                    inLedger = System.nanoTime();
                }
                if (System.nanoTime() - lastPrint > 1e9) {
                    lastPrint = System.nanoTime();
                    System.out.printf("  %.1f s: %d in the ledger, %d with status%n", (lastPrint - start) / 1e9,
                            controller.withState(s -> s.assignedIpCount()), controller.writeBack().statusWrites());
                }
                if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(15)) {
                    throw new IllegalStateException("only " + controller.writeBack().statusWrites() + " of " + count
                            + " Services got status");
                }
            }
            long end = System.nanoTime();
            long withStatus = client.services().inNamespace("bench").list().getItems().stream()
                    .filter(EndToEndAllocation::hasIngress).count();
            if (withStatus != count) {
                throw new IllegalStateException("the API shows status on " + withStatus + " of " + count + " Services");
            }
            return new Rates(count / ((inLedger - start) / 1e9), count / ((end - start) / 1e9));
        }
    }

    /**
     * The allocator's own pipeline without the mock's create rate in the way: N Services already
     * exist when it starts leading (as after a failover), timed from then until all are committed
     * in the ledger.
     */
    private static double takeoverRate(int count) throws Exception {
        try (Allocation run = Allocation.start("ledgerlb-bench-takeover-")) {
            AllocatorController controller = run.controller();
            createPool(run.client());
            createServices(run.client(), "bench", count);
            run.syncInformers();
            long start = System.nanoTime();
            controller.startLeading();
            while (controller.withState(s -> s.assignedIpCount()) < count) {
                Thread.sleep(1);
                if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(10)) {
                    throw new IllegalStateException("not all Services were allocated");
                }
            }
            return count / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** An allocator on a fresh mock API and a fresh embedded ledger, not yet leading; closing removes all. */
    private record Allocation(Path dir, KubernetesMockServer server, KubernetesClient client, KafkaLedger ledger,
                              AllocatorController controller) implements AutoCloseable {
        static Allocation start(String dirPrefix) throws Exception {
            Path dir = Files.createTempDirectory(dirPrefix);
            KubernetesMockServer server = mockApi();
            KafkaLedger ledger = KafkaLedger.open(LedgerConfig.embedded(dir).withoutSqlite());
            AllocatorController controller = AllocatorController.withCoreStep(server.createClient(), ledger,
                    new AllocatorController.Settings("bench", null, WRITERS, 0));
            return new Allocation(dir, server, server.createClient(), ledger, controller);
        }

        void syncInformers() throws InterruptedException {
            controller.startInformers();
            while (!controller.informersSynced()) {
                Thread.sleep(50);
            }
        }

        @Override
        public void close() throws Exception {
            try (client; ledger; controller) {
                // closed in reverse order: controller, ledger, client
            } finally {
                destroy(server);
                TempDirs.delete(dir);
            }
        }
    }

    /** The mock cannot always stop once overloaded (its event loop blocks on a watch write): that must not lose the figures. */
    private static void destroy(KubernetesMockServer server) {
        try {
            server.destroy();
        } catch (RuntimeException e) {
            System.out.println("(the mock API did not stop cleanly: " + e.getMessage() + ")");
        }
    }

    private static void createPool(KubernetesClient client) {
        client.genericKubernetesResources(MetalLbKinds.IP_ADDRESS_POOL.context()).inNamespace("metallb-system")
                .resource(new GenericKubernetesResourceBuilder().withApiVersion(MetalLbKinds.IP_ADDRESS_POOL.apiVersion())
                        .withKind("IPAddressPool").withNewMetadata().withName("bench").withNamespace("metallb-system")
                        .endMetadata().withAdditionalProperties(Map.of("spec", Map.of("addresses", List.of("10.96.0.0/16"))))
                        .build()).create();
    }

    private static boolean hasIngress(Service s) {
        return s.getStatus() != null && s.getStatus().getLoadBalancer() != null
                && s.getStatus().getLoadBalancer().getIngress() != null
                && !s.getStatus().getLoadBalancer().getIngress().isEmpty();
    }

    private static void createServices(KubernetesClient client, String namespace, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        var done = IntStream.range(0, count).mapToObj(i -> pool.submit(() -> client.services().inNamespace(namespace)
                .resource(new ServiceBuilder().withNewMetadata().withNamespace(namespace).withName("svc" + i).endMetadata()
                        .withNewSpec().withType("LoadBalancer").addNewPort().withPort(80).withProtocol("TCP").endPort()
                        .endSpec().build()).create())).toList();
        for (var f : done) {
            f.get();
        }
        pool.shutdown();
    }

    static KubernetesMockServer mockApi() {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(MetalLbKinds.definitions()), false);
        server.init();
        return server;
    }
}
