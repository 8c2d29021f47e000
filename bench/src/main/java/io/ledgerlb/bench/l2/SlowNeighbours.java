package io.ledgerlb.bench.l2;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.ledgerlb.events.v1.BgpAdvertisementDefined;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.lab.NetnsLab;
import io.ledgerlb.lab.SilentPeerMain;
import io.ledgerlb.lab.SlowApiDispatcher;
import io.ledgerlb.ledger.LedgerWriter;
import io.ledgerlb.speaker.k8s.EndpointSlices;
import io.ledgerlb.speaker.lab.Relay;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;

/**
 * What a speaker's neighbours do to it in the slow-neighbours run: a mock API server (Nodes, and
 * the EndpointSlice that lets "web" be announced) that can be made to answer late, a BGP router
 * in the client namespace that accepts connections and reads nothing, and an unreachable one.
 */
final class SlowNeighbours implements AutoCloseable {
    static final Duration API_DELAY = Duration.ofSeconds(5);

    private final NetnsLab lab;
    private final List<String> nodes;
    private final SlowApiDispatcher api;
    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final Relay relay;

    private SlowNeighbours(NetnsLab lab, List<String> nodes) throws Exception {
        this.lab = lab;
        this.nodes = nodes;
        api = new SlowApiDispatcher(new KubernetesCrudDispatcher());
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), api, false);
        server.init(InetAddress.getByName("127.0.0.1"), 0);
        client = server.createClient();
        for (String node : nodes) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(node).endMetadata()
                    .withNewStatus().addNewAddress().withType("InternalIP").withAddress(Layer2Bench.ip(node)).endAddress()
                    .endStatus().build()).create();
        }
        EndpointSlices.servedFrom(client, "bench", "web", nodes.get(0));
        relay = Relay.unixToTcp(lab.dir().resolve(server.getPort() + ".sock"), server.getPort());
    }

    static SlowNeighbours start(NetnsLab lab, List<String> nodes) throws Exception {
        return new SlowNeighbours(lab, nodes);
    }

    int apiPort() {
        return server.getPort();
    }

    int delayedAnswers() {
        return api.delayed();
    }

    /** From now on: the API server answers 5 s late, and every speaker has a silent and an unreachable BGP peer. */
    void slowDown(LedgerWriter writer) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        lab.spawn("c", List.of(java, "-Xmx32m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                SilentPeerMain.class.getName(), "10.99.0.100", "179"), "silent-peer.log");
        for (String node : nodes) {
            lab.exec(node, "ip", "route", "add", "10.99.9.0/24", "via", "10.99.0.100"); // c forwards nothing
        }
        writer.append(List.of(
                Layer2Bench.event(Event.newBuilder().setBgpPeerDefined(BgpPeerDefined.newBuilder().setName("silent")
                        .setMyAsn(64512).setPeerAsn(64513).setPeerAddress("10.99.0.100"))),
                Layer2Bench.event(Event.newBuilder().setBgpPeerDefined(BgpPeerDefined.newBuilder().setName("unreachable")
                        .setMyAsn(64512).setPeerAsn(64513).setPeerAddress("10.99.9.1").setConnectTimeSeconds(10))),
                Layer2Bench.event(Event.newBuilder().setBgpAdvertisementDefined(BgpAdvertisementDefined.newBuilder()
                        .setName("bgp").addIpAddressPools("p")))));
        api.slowDown(API_DELAY);
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (lab.log("silent-peer.log").split("reading nothing", -1).length - 1 < nodes.size()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the speakers did not all connect to the silent peer:\n" + lab.log("silent-peer.log"));
            }
            Thread.sleep(200);
        }
    }

    @Override
    public void close() throws Exception {
        relay.close();
        client.close();
        server.destroy();
    }
}
