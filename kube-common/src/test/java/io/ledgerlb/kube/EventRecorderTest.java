package io.ledgerlb.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
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
import io.ledgerlb.kube.EventRecorder.Note;
import java.time.Duration;
import java.util.HashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An Event the API server refuses for now is recorded later, once; one it rejects for what it is is dropped. */
class EventRecorderTest {
    /** The code the next {@code refusals} Event creations are answered with. */
    final AtomicInteger refusals = new AtomicInteger();
    final AtomicInteger refusalCode = new AtomicInteger(500);
    final AtomicInteger creates = new AtomicInteger();
    KubernetesMockServer server;
    KubernetesClient client;

    @BeforeEach
    void api() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher() {
            @Override
            public MockResponse handleCreate(RecordedRequest request) {
                if (request.getPath().contains("/events")) {
                    creates.incrementAndGet();
                    if (refusals.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        return new MockResponse().setResponseCode(refusalCode.get()).setBody(
                                "{\"kind\":\"Status\",\"code\":" + refusalCode.get() + ",\"message\":\"refused by the test\"}");
                    }
                }
                return super.handleCreate(request);
            }
        }, false);
        server.init();
        // no retries of the client's own: the recorder must see each refusal
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(server.createClient().getConfiguration())
                .withRequestRetryBackoffLimit(0).build()).build();
    }

    @AfterEach
    void close() {
        client.close();
        server.destroy();
    }

    @Test
    void anEventTheServerRefusesForNowIsRecordedLaterOnce() {
        refusals.set(2);
        try (EventRecorder events = new EventRecorder(client, "ledgerlb-allocator", "allocator-0", null)) {
            events.record(new ServiceBuilder().withNewMetadata().withNamespace("shop").withName("web").withUid("u1")
                    .endMetadata().build(), Note.normal("IPAllocated", "Assigned IP [\"192.0.2.10\"]"));

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(client.v1().events().inNamespace("shop").list().getItems()).singleElement().satisfies(e -> {
                        assertThat(e.getReason()).isEqualTo("IPAllocated");
                        assertThat(e.getInvolvedObject().getName()).isEqualTo("web");
                        assertThat(e.getReportingComponent()).isEqualTo("ledgerlb-allocator");
                        assertThat(e.getReportingInstance()).isEqualTo("allocator-0");
                    }));
            assertThat(creates).hasValue(3);
        }
    }

    @Test
    void anEventTheServerRejectsIsDroppedAndTheNextOneStillGoesThrough() {
        refusals.set(1);
        refusalCode.set(422);
        try (EventRecorder events = new EventRecorder(client, "ledgerlb-speaker", "n1", "n1")) {
            var node = new ObjectReferenceBuilder().withApiVersion("v1").withKind("Node").withName("n1").build();
            events.record("a", node, Note.warning("SpeakerComponentDown", "rejected"));
            events.record("b", node, Note.normal("SpeakerComponentUp", "recorded"));

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(client.v1().events().inNamespace("default").list().getItems()).singleElement()
                            .satisfies(e -> {
                                assertThat(e.getMessage()).isEqualTo("recorded");
                                assertThat(e.getSource().getHost()).isEqualTo("n1");
                            }));
            assertThat(creates).hasValue(2);
        }
    }
}
