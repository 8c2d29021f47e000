package io.ledgerlb.allocator.k8s.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ledgerlb.allocator.k8s.crd.BGPPeer;
import io.ledgerlb.allocator.k8s.crd.IPAddressPool;
import java.nio.file.Files;
import java.nio.file.Path;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real kubectl against the local API: what a user does on a machine without a cluster. */
class LocalKubernetesApiKubectlTest {
    @TempDir
    static Path dir;
    static LocalKubernetesApi api;
    static KubernetesClient client;
    static Kubectl kubectl;

    @BeforeAll
    static void start() {
        assumeTrue(Files.isExecutable(Kubectl.BINARY) || System.getenv("CI") != null,
                "kubectl is not installed at " + Kubectl.BINARY);
        api = LocalKubernetesApi.start(0, dir.resolve("kube/config"));
        client = api.client();
        kubectl = new Kubectl(api.kubeconfig(), dir);
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    void serviceCreateApplyGetDescribeDelete() throws Exception {
        String service = """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: default}
                spec:
                  type: LoadBalancer
                  selector: {app: web}
                  ports: [{name: http, port: 80, protocol: TCP}, {name: https, port: 443, protocol: TCP}]
                """;
        assertOk(kubectl.withInput(service, "apply", "-f", "-"), "service/web created");
        assertThat(kubectl.run("get", "svc", "web").out()).contains("EXTERNAL-IP").contains("<pending>");

        Service stored = client.services().inNamespace("default").withName("web").get();
        stored.setStatus(new io.fabric8.kubernetes.api.model.ServiceStatusBuilder().withNewLoadBalancer()
                .addNewIngress().withIp("192.0.2.10").endIngress().endLoadBalancer().build());
        client.services().resource(stored).updateStatus();

        Kubectl.Result table = kubectl.run("get", "svc");
        assertOk(table, "NAME");
        assertThat(table.out().lines().findFirst().orElseThrow().split("\\s+"))
                .containsExactly("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE");
        assertThat(table.out()).containsPattern("web\\s+LoadBalancer\\s+\\S+\\s+192\\.0\\.2\\.10\\s+80/TCP,443/TCP\\s+\\d+s");

        assertOk(kubectl.withInput(service.replace("port: 443", "port: 8443"), "apply", "-f", "-"),
                "service/web configured");
        Service applied = client.services().inNamespace("default").withName("web").get();
        assertThat(applied.getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(80, 8443);
        assertThat(applied.getStatus().getLoadBalancer().getIngress().get(0).getIp()).isEqualTo("192.0.2.10");

        Kubectl.Result yaml = kubectl.run("get", "svc", "web", "-o", "yaml");
        assertOk(yaml, "kind: Service");
        assertThat(yaml.out()).contains("- ip: 192.0.2.10").contains("port: 8443").doesNotContain("port: 443\n");

        client.v1().events().inNamespace("default").resource(new EventBuilder()
                .withNewMetadata().withName("web.ipallocated").endMetadata()
                .withNewInvolvedObject().withKind("Service").withNamespace("default").withName("web")
                .withUid(applied.getMetadata().getUid()).withApiVersion("v1").endInvolvedObject()
                .withType("Normal").withReason("IPAllocated").withMessage("Assigned IP [\"192.0.2.10\"]")
                .withCount(1).withLastTimestamp(Instant.now().toString()).withNewSource().withComponent("ledgerlb")
                .endSource().build()).create();
        client.v1().events().inNamespace("default").resource(new EventBuilder()
                .withNewMetadata().withName("other.event").endMetadata()
                .withNewInvolvedObject().withKind("Service").withNamespace("default").withName("other")
                .endInvolvedObject().withType("Warning").withReason("SomethingElse").withMessage("not about web")
                .build()).create();

        Kubectl.Result describe = kubectl.run("describe", "svc", "web");
        assertOk(describe, "Name:");
        assertThat(describe.out()).contains("LoadBalancer Ingress:").contains("192.0.2.10")
                .contains("IPAllocated").contains("Assigned IP [\"192.0.2.10\"]").doesNotContain("SomethingElse");

        assertOk(kubectl.run("delete", "svc", "web"), "service \"web\" deleted");
        assertThat(client.services().inNamespace("default").withName("web").get()).isNull();
        Kubectl.Result gone = kubectl.run("get", "svc", "web");
        assertThat(gone.exitCode()).isNotZero();
        assertThat(gone.err()).contains("NotFound");
    }

    @Test
    void ipAddressPoolCreateApplyGetDelete() throws Exception {
        String pool = """
                apiVersion: metallb.io/v1beta1
                kind: IPAddressPool
                metadata: {name: lab, namespace: metallb-system}
                spec:
                  addresses: [192.0.2.0/28, 192.0.2.100-192.0.2.110]
                """;
        assertOk(kubectl.withInput(pool, "create", "--save-config", "-f", "-"), "ipaddresspool.metallb.io/lab created");
        assertOk(kubectl.withInput(pool.replace("192.0.2.0/28, ", ""), "apply", "-f", "-"),
                "ipaddresspool.metallb.io/lab configured");

        IPAddressPool stored = client.resources(IPAddressPool.class).inNamespace("metallb-system").withName("lab").get();
        assertThat(stored.getSpec().addresses()).containsExactly("192.0.2.100-192.0.2.110");

        Kubectl.Result table = kubectl.run("get", "ipaddresspools", "-A");
        assertThat(table.out()).containsPattern("metallb-system\\s+lab\\s+true\\s+false\\s+192\\.0\\.2\\.100-192\\.0\\.2\\.110");
        assertThat(kubectl.run("get", "ipaddresspool", "lab", "-n", "metallb-system", "-o", "yaml").out())
                .contains("apiVersion: metallb.io/v1beta1").contains("- 192.0.2.100-192.0.2.110");

        assertOk(kubectl.run("delete", "ipaddresspool", "lab", "-n", "metallb-system"), "deleted");
        assertThat(client.resources(IPAddressPool.class).inNamespace("metallb-system").withName("lab").get()).isNull();
    }

    @Test
    void bgpPeerV1beta1IsAppliedAndReadAsMetalLbServesIt() throws Exception {
        String peer = """
                apiVersion: metallb.io/v1beta1
                kind: BGPPeer
                metadata: {name: old, namespace: metallb-system}
                spec: {myASN: 64500, peerASN: 64501, peerAddress: 192.0.2.1}
                """;
        Kubectl.Result created = kubectl.withInput(peer, "apply", "-f", "-");
        assertOk(created, "bgppeer.metallb.io/old created");
        assertThat(created.err()).contains("v1beta1 is deprecated, please use v1beta2");
        assertOk(kubectl.withInput(peer.replace("64501", "64502"), "apply", "-f", "-"), "bgppeer.metallb.io/old configured");

        BGPPeer stored = client.resources(BGPPeer.class).inNamespace("metallb-system").withName("old").get();
        assertThat(stored.getSpec().peerASN()).isEqualTo(64502L);
        assertThat(kubectl.run("get", "bgppeers.v1beta1.metallb.io", "old", "-n", "metallb-system", "-o", "yaml").out())
                .contains("apiVersion: metallb.io/v1beta1").contains("peerASN: 64502");
        assertThat(kubectl.run("get", "bgppeers", "old", "-n", "metallb-system", "-o", "yaml").out())
                .contains("apiVersion: metallb.io/v1beta2");

        assertOk(kubectl.run("delete", "bgppeers.v1beta1.metallb.io", "old", "-n", "metallb-system"), "deleted");
        assertThat(client.resources(BGPPeer.class).inNamespace("metallb-system").withName("old").get()).isNull();
    }

    @Test
    void unsupportedRequestsFailClearlyAndChangeNothing() throws Exception {
        String service = """
                apiVersion: v1
                kind: Service
                metadata: {name: dry, namespace: default}
                spec: {type: LoadBalancer, ports: [{port: 80}]}
                """;
        Kubectl.Result dryRun = kubectl.withInput(service, "create", "--dry-run=server", "-f", "-");
        assertThat(dryRun.exitCode()).isNotZero();
        assertThat(dryRun.err()).containsAnyOf("dry run is not supported", "doesn't support dry-run");  // kubectl 1.32, 1.20

        Kubectl.Result serverSide = kubectl.withInput(service, "apply", "--server-side", "-f", "-");
        assertThat(serverSide.exitCode()).isNotZero();
        assertThat(serverSide.err()).contains("server-side apply is not supported");

        assertThat(client.services().inNamespace("default").withName("dry").get()).isNull();

        Kubectl.Result watch = kubectl.run("get", "svc", "--watch", "--request-timeout", "20s");
        assertThat(watch.exitCode()).isNotZero();
        assertThat(watch.err()).containsAnyOf("kubectl get -w is not supported", "MethodNotAllowed");
    }

    @Test
    void fabric8InformersSeeWhatKubectlCreates() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (SharedIndexInformer<Service> informer = client.services().inNamespace("default")
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Service service) {
                        seen.add(service.getMetadata().getName());
                    }

                    @Override
                    public void onUpdate(Service before, Service after) {
                    }

                    @Override
                    public void onDelete(Service service, boolean unknownFinalState) {
                    }
                })) {
            assertOk(kubectl.withInput("""
                    apiVersion: v1
                    kind: Service
                    metadata: {name: informed}
                    spec: {type: LoadBalancer, ports: [{port: 53, protocol: UDP}]}
                    """, "apply", "-f", "-"), "service/informed created");

            await().atMost(Duration.ofSeconds(60)).until(() -> seen.contains("informed"));
            assertThat(informer.isWatching()).isTrue();
        }
    }

    private static void assertOk(Kubectl.Result result, String expected) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).as(result.toString()).contains(expected);
    }
}
