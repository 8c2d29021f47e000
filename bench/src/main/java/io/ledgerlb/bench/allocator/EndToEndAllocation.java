package io.ledgerlb.bench.allocator;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.ledgerlb.allocator.controller.AllocatorController;
import io.ledgerlb.allocator.k8s.adapter.MetalLbKinds;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * End to end: N Services created on fabric8's mock API (CRUD mode) → all have
 * status.loadBalancer.ingress, through the allocator with a real embedded Kafka ledger (one
 * transaction per decision). Reference, same run and same mock: the rate at which the mock
 * accepts the same status patches written directly, with as many threads as the allocator's
 * status writers.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.ledgerlb.bench.allocator.EndToEndAllocation [services]</pre>
 */
public final class EndToEndAllocation {
    private static final int WRITERS = 4;
    /** The mock logs every request through java.util.logging; kept so the level sticks. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        Path dir = Files.createTempDirectory("ledgerlb-bench-e2e-");
        KubernetesMockServer server = mockApi();
        try (KubernetesClient client = server.createClient();
             KafkaLedger ledger = KafkaLedger.open(LedgerConfig.embedded(dir).withoutSqlite())) {
            double reference = rawStatusRate(client, count);
            double allocator = allocatorRate(server, client, ledger, count);
            System.out.printf("services: %d%n", count);
            System.out.printf("reference: mock API accepts status patches at %.0f/s (%d threads)%n", reference, WRITERS);
            System.out.printf("allocator: %.0f Services/s created -> status (one Kafka transaction each)%n", allocator);
            System.out.printf("ratio allocator/reference: %.2f%n", allocator / reference);
        } finally {
            server.destroy();
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }

    /** Patches the status of {@code count} existing Services directly, as fast as the mock takes them. */
    private static double rawStatusRate(KubernetesClient client, int count) throws Exception {
        createServices(client, "reference", count);
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        long start = System.nanoTime();
        List<? extends java.util.concurrent.Future<?>> done = IntStream.range(0, count).mapToObj(i -> pool.submit(() ->
                client.services().inNamespace("reference").withName("svc" + i).subresource("status")
                        .patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"add\",\"path\":\"/status\",\"value\":"
                                + "{\"loadBalancer\":{\"ingress\":[{\"ip\":\"10.98." + (i / 256) + "." + (i % 256)
                                + "\"}]}}}]"))).toList();
        for (var f : done) {
            f.get();
        }
        double rate = count / ((System.nanoTime() - start) / 1e9);
        pool.shutdown();
        return rate;
    }

    private static double allocatorRate(KubernetesMockServer server, KubernetesClient client, KafkaLedger ledger,
            int count) throws Exception {
        AllocatorController controller = AllocatorController.withCoreStep(server.createClient(), ledger,
                new AllocatorController.Settings("bench", null, WRITERS, 0));
        controller.startInformers();
        while (!controller.informersSynced()) {
            Thread.sleep(50);
        }
        controller.startLeading();
        client.genericKubernetesResources(MetalLbKinds.IP_ADDRESS_POOL.context()).inNamespace("metallb-system")
                .resource(new GenericKubernetesResourceBuilder().withApiVersion(MetalLbKinds.IP_ADDRESS_POOL.apiVersion())
                        .withKind("IPAddressPool").withNewMetadata().withName("bench").withNamespace("metallb-system")
                        .endMetadata().withAdditionalProperties(Map.of("spec", Map.of("addresses", List.of("10.96.0.0/16"))))
                        .build()).create();
        while (controller.withState(s -> s.pools().isEmpty())) {
            Thread.sleep(10);
        }
        Set<String> served = ConcurrentHashMap.newKeySet();
        var watcher = client.services().inNamespace("bench").inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Service s) {
                check(s);
            }

            @Override
            public void onUpdate(Service old, Service s) {
                check(s);
            }

            @Override
            public void onDelete(Service s, boolean unknown) {}

            private void check(Service s) {
                if (s.getStatus() != null && s.getStatus().getLoadBalancer() != null
                        && s.getStatus().getLoadBalancer().getIngress() != null
                        && !s.getStatus().getLoadBalancer().getIngress().isEmpty()) {
                    served.add(s.getMetadata().getName());
                }
            }
        }, 0);
        long start = System.nanoTime();
        createServices(client, "bench", count);
        while (served.size() < count) {
            Thread.sleep(5);
            if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(10)) {
                throw new IllegalStateException("only " + served.size() + " of " + count + " Services got status");
            }
        }
        double rate = count / ((System.nanoTime() - start) / 1e9);
        watcher.close();
        controller.close();
        return rate;
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
