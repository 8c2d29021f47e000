package io.ledgerlb.allocator.k8s.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.ledgerlb.allocator.k8s.crd.BGPPeer;
import io.ledgerlb.allocator.k8s.crd.BGPPeerSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local API serves BGPPeer in both of MetalLB's versions, as {@code deploy/crds} declares
 * them: v1beta2 stored, v1beta1 served from it by changing {@code apiVersion} alone (no webhook).
 * Driven with fabric8's generic resources, as kubectl and other untyped clients talk to it.
 */
class LocalApiBgpPeerVersionsTest {
    private static final String NAMESPACE = "metallb-system";

    @TempDir
    Path dir;
    LocalKubernetesApi api;
    KubernetesClient client;

    @BeforeEach
    void start() {
        api = LocalKubernetesApi.start(0, dir.resolve("kube/config"), dir.resolve("objects.jsonl"));
        client = api.client();
    }

    @AfterEach
    void stop() {
        client.close();
        api.close();
    }

    private MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> v1beta1() {
        return client.genericKubernetesResources("metallb.io/v1beta1", "BGPPeer");
    }

    private static GenericKubernetesResource v1beta1Peer(String name, long peerAsn) {
        return new GenericKubernetesResourceBuilder().withApiVersion("metallb.io/v1beta1").withKind("BGPPeer")
                .withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("myASN", 64500, "peerASN", peerAsn,
                        "peerAddress", "192.0.2.1", "holdTime", "90s")))
                .build();
    }

    @Test
    void discoveryListsBgpPeersInBothVersions() {
        assertThat(client.getApiResources("metallb.io/v1beta1").getResources()).extracting(APIResource::getName)
                .contains("bgppeers", "ipaddresspools");
        assertThat(client.getApiResources("metallb.io/v1beta2").getResources()).extracting(APIResource::getName)
                .contains("bgppeers");
    }

    @Test
    void aV1beta1PeerIsStoredAsV1beta2AndServedInBoth() throws Exception {
        GenericKubernetesResource created = v1beta1().inNamespace(NAMESPACE).resource(v1beta1Peer("edge", 64501)).create();
        assertThat(created.getApiVersion()).isEqualTo("metallb.io/v1beta1");

        BGPPeer typed = client.resources(BGPPeer.class).inNamespace(NAMESPACE).withName("edge").get();
        assertThat(typed.getApiVersion()).isEqualTo("metallb.io/v1beta2");
        assertThat(typed.getSpec().peerASN()).isEqualTo(64501L);
        assertThat(typed.getSpec().peerAddress()).isEqualTo("192.0.2.1");

        GenericKubernetesResource read = v1beta1().inNamespace(NAMESPACE).withName("edge").get();
        assertThat(read.getApiVersion()).isEqualTo("metallb.io/v1beta1");
        assertThat(read.getKind()).isEqualTo("BGPPeer");
        assertThat(read.<Object>get("spec", "holdTime")).isEqualTo("90s");

        // the objects file holds the stored version, as etcd would
        assertThat(Files.readString(dir.resolve("objects.jsonl"))).contains("\"apiVersion\":\"metallb.io/v1beta2\"")
                .doesNotContain("metallb.io/v1beta1");
    }

    @Test
    void aV1beta2PeerIsListedUpdatedAndDeletedThroughV1beta1() {
        client.resources(BGPPeer.class).inNamespace(NAMESPACE).resource(v1beta2Peer("core", 64510)).create();
        v1beta1().inNamespace(NAMESPACE).resource(v1beta1Peer("edge", 64501)).create();

        List<GenericKubernetesResource> listed = v1beta1().inNamespace(NAMESPACE).list().getItems();
        assertThat(listed).extracting(r -> r.getMetadata().getName()).containsExactlyInAnyOrder("core", "edge");
        assertThat(listed).extracting(GenericKubernetesResource::getApiVersion).containsOnly("metallb.io/v1beta1");
        assertThat(v1beta1().inAnyNamespace().list().getApiVersion()).isEqualTo("metallb.io/v1beta1");

        v1beta1().inNamespace(NAMESPACE).withName("core").edit(peer -> {
            peer.<Map<String, Object>>get("spec").put("holdTime", "30s");
            return peer;
        });
        assertThat(client.resources(BGPPeer.class).inNamespace(NAMESPACE).withName("core").get().getSpec().holdTime())
                .isEqualTo("30s");

        v1beta1().inNamespace(NAMESPACE).withName("core").delete();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> client.resources(BGPPeer.class).inNamespace(NAMESPACE).withName("core").get() == null);
        assertThat(client.resources(BGPPeer.class).inNamespace(NAMESPACE).list().getItems())
                .extracting(p -> p.getMetadata().getName()).containsExactly("edge");
    }

    @Test
    void aV1beta1WatchSeesV1beta2WritesInV1beta1() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (SharedIndexInformer<GenericKubernetesResource> informer = v1beta1().inNamespace(NAMESPACE)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(GenericKubernetesResource peer) {
                        seen.add("add " + peer.getMetadata().getName() + " " + peer.getApiVersion());
                    }

                    @Override
                    public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
                        seen.add("update " + after.getMetadata().getName() + " " + after.getApiVersion()
                                + " " + after.get("spec", "peerASN"));
                    }

                    @Override
                    public void onDelete(GenericKubernetesResource peer, boolean unknownFinalState) {
                        seen.add("delete " + peer.getMetadata().getName());
                    }
                })) {
            await().atMost(Duration.ofSeconds(30)).until(informer::isWatching);
            var peers = client.resources(BGPPeer.class).inNamespace(NAMESPACE);
            peers.resource(v1beta2Peer("core", 64510)).create();
            await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("add core metallb.io/v1beta1"));

            peers.withName("core").edit(peer -> {
                peer.setSpec(v1beta2Peer("core", 64511).getSpec());
                return peer;
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("update core metallb.io/v1beta1 64511"));

            peers.withName("core").delete();
            await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("delete core"));
        }
    }

    @Test
    void v1beta1AnswersCarryItsDeprecationWarning() throws Exception {
        v1beta1().inNamespace(NAMESPACE).resource(v1beta1Peer("edge", 64501)).create();
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(api.url() + "/apis/metallb.io/v1beta1/namespaces/" + NAMESPACE + "/bgppeers/edge")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Warning")).hasValue("299 - \"v1beta1 is deprecated, please use v1beta2\"");
        assertThat(response.body()).contains("\"apiVersion\":\"metallb.io/v1beta1\"");

        HttpResponse<String> v1beta2 = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(api.url() + "/apis/metallb.io/v1beta2/namespaces/" + NAMESPACE + "/bgppeers/edge")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(v1beta2.headers().firstValue("Warning")).isEmpty();
    }

    private static BGPPeer v1beta2Peer(String name, long peerAsn) {
        BGPPeer peer = new BGPPeer();
        peer.getMetadata().setName(name);
        peer.getMetadata().setNamespace(NAMESPACE);
        peer.setSpec(new BGPPeerSpec(64500L, peerAsn, null, null, "192.0.2.2", null, null, "90s", null, null, null,
                null, null, null, null, null, null, null, null, null, null));
        return peer;
    }
}
