package io.ledgerlb.speaker.k8s;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * fabric8's mock API in CRUD mode that answers 500 to the next writes (POST, PUT, PATCH, DELETE)
 * to a path the test names, and a client that does not retry by itself, so the code under test
 * sees each refusal.
 */
final class RefusingApi implements AutoCloseable {
    private final Map<String, AtomicInteger> refusals = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> written = new ConcurrentHashMap<>();
    private final KubernetesMockServer server;
    private final KubernetesClient client;

    RefusingApi() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher() {
            @Override
            public MockResponse handleCreate(io.fabric8.mockwebserver.http.RecordedRequest request) {
                return refusedOr(request.getPath(), () -> super.handleCreate(request));
            }

            @Override
            public MockResponse handleUpdate(io.fabric8.mockwebserver.http.RecordedRequest request) {
                return refusedOr(request.getPath(), () -> super.handleUpdate(request));
            }

            @Override
            public MockResponse handlePatch(io.fabric8.mockwebserver.http.RecordedRequest request) {
                return refusedOr(request.getPath(), () -> super.handlePatch(request));
            }

            @Override
            public MockResponse handleDelete(String path) {
                return refusedOr(path, () -> super.handleDelete(path));
            }
        }, false);
        server.init();
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(server.createClient().getConfiguration())
                .withRequestRetryBackoffLimit(0).build()).build();
    }

    private MockResponse refusedOr(String path, Supplier<MockResponse> handled) {
        String plain = path.split("\\?")[0];
        AtomicInteger left = refusals.get(plain);
        if (left != null && left.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return new MockResponse().setResponseCode(500)
                    .setBody("{\"kind\":\"Status\",\"code\":500,\"message\":\"refused by the test\"}");
        }
        written.computeIfAbsent(plain, k -> new AtomicInteger()).incrementAndGet();
        return handled.get();
    }

    /** The next {@code times} writes to this API path (no query) fail with 500 Internal Server Error. */
    void refuseWrites(String path, int times) {
        refusals.put(path, new AtomicInteger(times));
    }

    int refusalsLeft(String path) {
        AtomicInteger left = refusals.get(path);
        return left == null ? 0 : left.get();
    }

    /** How many writes to this API path (no query) were let through. */
    int writes(String path) {
        AtomicInteger count = written.get(path);
        return count == null ? 0 : count.get();
    }

    KubernetesClient client() {
        return client;
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
