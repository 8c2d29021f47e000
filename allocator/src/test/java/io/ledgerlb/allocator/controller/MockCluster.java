package io.ledgerlb.allocator.controller;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.ledgerlb.allocator.k8s.adapter.MetalLbKinds;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** fabric8's mock API server in CRUD mode, knowing the MetalLB kinds, and helpers to create objects on it. */
public final class MockCluster implements AutoCloseable {
    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final List<KubernetesClient> clients = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final Map<String, AtomicInteger> refusals = new ConcurrentHashMap<>();

    public MockCluster() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(MetalLbKinds.definitions()) {
                    @Override
                    public MockResponse handlePatch(RecordedRequest request) {
                        AtomicInteger left = refusals.get(request.getPath().split("\\?")[0]);
                        if (left != null && left.getAndDecrement() > 0) {
                            return new MockResponse().setResponseCode(500)
                                    .setBody("{\"kind\":\"Status\",\"code\":500,\"message\":\"refused by the test\"}");
                        }
                        return super.handlePatch(request);
                    }
                }, false);
        server.init();
        client = newClient();
    }

    /** The next {@code times} PATCH requests to this API path fail with 500 Internal Server Error. */
    public void refusePatches(String path, int times) {
        refusals.put(path, new AtomicInteger(times));
    }

    public int refusalsLeft(String path) {
        AtomicInteger left = refusals.get(path);
        return left == null ? 0 : left.get();
    }

    public KubernetesClient client() {
        return client;
    }

    /** A new client of the same server (each allocator gets its own, as separate processes would). */
    public KubernetesClient newClient() {
        return newClient(new ConfigBuilder(server.createClient().getConfiguration()).getRequestRetryBackoffLimit());
    }

    /** A new client that retries a failed request itself at most {@code retries} times. */
    public KubernetesClient newClient(int retries) {
        // generous timeouts: the mock shares two loaded cores with Kafka and the allocator
        KubernetesClient created = new KubernetesClientBuilder().withConfig(new ConfigBuilder(
                server.createClient().getConfiguration()).withRequestTimeout(120_000).withConnectionTimeout(30_000)
                .withRequestRetryBackoffLimit(retries).build()).build();
        clients.add(created);
        return created;
    }

    public GenericKubernetesResource pool(String name, String... addresses) {
        return client.genericKubernetesResources(MetalLbKinds.IP_ADDRESS_POOL.context()).inNamespace("metallb-system")
                .resource(new GenericKubernetesResourceBuilder()
                        .withApiVersion(MetalLbKinds.IP_ADDRESS_POOL.apiVersion()).withKind("IPAddressPool")
                        .withNewMetadata().withName(name).withNamespace("metallb-system").endMetadata()
                        .withAdditionalProperties(Map.of("spec", Map.of("addresses", List.of(addresses))))
                        .build())
                .createOr(op -> op.update());
    }

    public Service loadBalancer(String namespace, String name, Map<String, String> annotations) {
        return client.services().inNamespace(namespace).resource(new ServiceBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).withAnnotations(annotations).endMetadata()
                .withNewSpec().withType("LoadBalancer").addNewPort().withPort(80).withProtocol("TCP").endPort()
                .addToSelector("app", name).endSpec()
                .build()).create();
    }

    public Service service(String namespace, String name) {
        return client.services().inNamespace(namespace).withName(name).get();
    }

    /** The IPs in the Service's status, in order (empty when none or the Service is gone). */
    public List<String> ingressIps(String namespace, String name) {
        Service s = service(namespace, name);
        if (s == null || s.getStatus() == null || s.getStatus().getLoadBalancer() == null
                || s.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        return s.getStatus().getLoadBalancer().getIngress().stream().map(i -> i.getIp()).toList();
    }

    public List<io.fabric8.kubernetes.api.model.Event> events(String namespace, String involvedName) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> involvedName.equals(e.getInvolvedObject().getName())).toList();
    }

    @Override
    public void close() {
        clients.forEach(KubernetesClient::close);
        try {
            server.destroy();
        } catch (IllegalStateException e) {
            // a watch still draining on a loaded machine; the server's port is released regardless
        }
    }
}
