package io.ledgerlb.speaker.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.ledgerlb.lab.NetnsLab;
import io.ledgerlb.ledger.LedgerWriter;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.testing.LedgerFixture;
import io.ledgerlb.speaker.k8s.EndpointSlices;
import io.ledgerlb.speaker.lab.NetnsMain;
import io.ledgerlb.speaker.lab.Relay;
import io.ledgerlb.speaker.owner.Ledgers;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Layer 2 as a MetalLB user expects it, seen from a client on the LAN (issue 14, item 4):
 * <ul>
 *   <li>a {@code Cluster}-policy Service with no serving endpoint anywhere is not answered for
 *       (its IP stays allocated in the ledger), and is once an endpoint serves it, and is not
 *       again when none does;</li>
 *   <li>after a takeover the gratuitous ARP is sent at once, 200 ms and 1 s later, then
 *       {@code --garp-repeat-count} more times every {@code --garp-interval-ms}: counted with
 *       tcpdump on the client's interface.</li>
 * </ul>
 */
class Layer2AsMetalLbNetnsTest {
    static final Duration WAIT = Duration.ofSeconds(120);
    static final String SERVED = "10.99.0.200";
    static final String WEB = "10.99.0.201";
    static final String NODE_MAC = "02:99:00:00:00:01";
    static final int REPEATS = 3;
    static final int INTERVAL_MS = 300;

    final Deque<AutoCloseable> started = new ArrayDeque<>();
    NetnsLab lab;
    KubernetesClient client;

    <T extends AutoCloseable> T started(T resource) {
        started.push(resource);
        return resource;
    }

    @AfterEach
    void stop() throws Exception {
        if (lab != null) {
            Path kept = Files.createDirectories(Path.of("target", "netns-logs"));
            Files.writeString(kept.resolve("layer2-as-metallb-n1.log"), lab.log("n1.log"));
            Files.writeString(kept.resolve("layer2-as-metallb-arp.log"), lab.log("arp.log"));
        }
        while (!started.isEmpty()) {
            started.pop().close();
        }
    }

    @Test
    void noServingEndpointNoAnswerAndATakeoverRepeatsItsGratuitousArp() throws Exception {
        boolean tools = NetnsLab.available() && NetnsLab.onPath("arping") && NetnsLab.onPath("tcpdump");
        if (System.getenv("CI") == null) {
            assumeTrue(tools, "needs root, iproute2, iputils-arping, tcpdump");
        }
        lab = started(new NetnsLab());
        lab.addBridge("br0");
        lab.addNamespace("n1");
        lab.connect("n1", "eth0", "br0", NODE_MAC, "10.99.0.1/24");
        lab.addNamespace("c");
        lab.connect("c", "eth0", "br0", "02:99:00:00:00:64", "10.99.0.100/24");

        KafkaLedger ledger = started(LedgerFixture.open("layer2-as-metallb"));
        LedgerWriter writer = started(ledger.openWriter("test"));
        Ledgers.append(writer, Ledgers.pool("p", "10.99.0.200-10.99.0.220", Map.of()),
                Ledgers.l2("l2", List.of("p"), List.of(), Map.of()),
                Ledgers.assign("served", SERVED, "p", false), Ledgers.assign("web", WEB, "p", false));
        long written = ledger.lastSequence();
        KubernetesMockServer kube = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        kube.init(InetAddress.getByName("127.0.0.1"), 0);
        started(kube::destroy);
        client = started(kube.createClient());
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("n1").endMetadata().build()).create();
        EndpointSlices.servedFrom(client, "default", "served", "n2"); // an endpoint on a node without a speaker counts
        int kafkaPort = Integer.parseInt(ledger.bootstrapServers().replaceAll(".*:", ""));
        started(Relay.unixToTcp(lab.dir().resolve(kafkaPort + ".sock"), kafkaPort));
        started(Relay.unixToTcp(lab.dir().resolve(kube.getPort() + ".sock"), kube.getPort()));

        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        lab.spawn("n1", List.of(java, "-Xmx128m", "-Dlogback.configurationFile=logback.xml", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", cp, NetnsMain.class.getName(), lab.dir().toString(),
                kafkaPort + "," + kube.getPort(), "--",
                "--node-name=n1", "--interface=eth0",
                "--kafka-bootstrap=127.0.0.1:" + kafkaPort,
                "--events-topic=" + ledger.config().eventsTopic(), "--snapshots-topic=" + ledger.config().snapshotsTopic(),
                "--members-bind=10.99.0.1:7946", "--members-join-delay-ms=500", "--metrics-port=0",
                "--garp-repeat-count=" + REPEATS, "--garp-interval-ms=" + INTERVAL_MS,
                "--kubernetes-master=http://127.0.0.1:" + kube.getPort()), "n1.log");

        // the served Service is answered: the speaker is up and owns what it may
        await().atMost(WAIT).until(() -> arping(SERVED).contains(NODE_MAC));
        assertThat(arping(WEB)).as("web has no serving endpoint anywhere").isEmpty();
        assertThat(lab.log("n1.log")).doesNotContain("\"ip\":\"" + WEB + "\"");

        long lastRepeatMs = 1000 + REPEATS * INTERVAL_MS;
        Thread.sleep(lastRepeatMs + 500); // served's own takeover burst and repeats are over before the capture starts

        Process capture = lab.spawn("c", List.of("tcpdump", "-i", "eth0", "-n", "-l", "arp"), "arp.log");
        started(capture::destroy);
        await().atMost(WAIT).until(() -> lab.log("arp.log").contains("listening on"));
        EndpointSlices.servedFrom(client, "default", "web", "n2");
        await().atMost(WAIT).until(() -> gratuitous(WEB) >= 1);
        Thread.sleep(lastRepeatMs + 1500); // the whole schedule, and room for one more that must not come
        assertThat(gratuitous(WEB)).as("3 in the burst after the takeover, then " + REPEATS + " repeats").isEqualTo(3 + REPEATS);
        assertThat(gratuitous(SERVED)).as("an IP kept is not announced again").isZero();
        assertThat(arping(WEB)).containsExactly(NODE_MAC);

        // the endpoint stops serving: withdrawn, though the ledger still gives web the IP
        client.discovery().v1().endpointSlices().inNamespace("default").resource(new EndpointSliceBuilder()
                .withNewMetadata().withName("web-abc").withNamespace("default")
                        .addToLabels("kubernetes.io/service-name", "web").endMetadata()
                .withAddressType("IPv4")
                .addNewEndpoint().addToAddresses("10.244.0.7").withNodeName("n2")
                        .withNewConditions().withReady(false).withServing(false).endConditions().endEndpoint()
                .build()).update();
        await().atMost(WAIT).until(() -> arping(WEB).isEmpty());
        assertThat(lab.log("n1.log")).contains("\"event\":\"serviceWithdrawn\"");
        assertThat(ledger.lastSequence()).as("nothing released web's IP: it stays allocated").isEqualTo(written);
        assertThat(arping(SERVED)).containsExactly(NODE_MAC);
    }

    /** Gratuitous ARP for {@code ip} seen on the client's interface: a request whose sender and target are the IP. */
    int gratuitous(String ip) {
        String quoted = Pattern.quote(ip);
        return (int) Pattern.compile("(Announcement " + quoted + "\\b|who-has " + quoted + " tell " + quoted + "\\b)")
                .matcher(lab.log("arp.log")).results().count();
    }

    List<String> arping(String ip) {
        String out = lab.exec("c", "arping", "-c", "1", "-w", "1", "-I", "eth0", ip).output();
        return Pattern.compile("reply from \\S+ \\[([0-9A-Fa-f:]+)\\]").matcher(out).results()
                .map(m -> m.group(1).toLowerCase()).toList();
    }
}
