package io.ledgerlb.speaker.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.ledgerlb.lab.NetnsLab;
import io.ledgerlb.ledger.LedgerWriter;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.testing.LedgerFixture;
import io.ledgerlb.kube.health.HealthEvents;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The speaker process in a node's network namespace, its parts failing for real: an interface it
 * captures on is deleted (the capture thread dies and cannot come back), and the node loses the
 * way to Kafka (its loopback, where the relay to the broker listens, goes down). Each turns
 * {@code /readyz} false and shows in {@code /metrics} and as a Warning Event on the Node, as a
 * client on the LAN sees them; through both the node keeps answering ARP for the IP it owns.
 */
class SpeakerFailsLoudNetnsTest {
    static final Duration WAIT = Duration.ofSeconds(120);
    static final String IP = "10.99.0.200";
    static final String NODE_MAC = "02:99:00:00:00:01";

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
            Files.writeString(kept.resolve("fails-loud-n1.log"), lab.log("n1.log"));
        }
        while (!started.isEmpty()) {
            started.pop().close();
        }
    }

    @Test
    void aDeadCaptureThreadAndAnUnreachableKafkaFailReadyzWhileTheNodeKeepsAnswering() throws Exception {
        boolean tools = NetnsLab.available() && NetnsLab.onPath("arping") && NetnsLab.onPath("curl");
        if (System.getenv("CI") == null) {
            assumeTrue(tools, "needs root, iproute2, iputils-arping, curl");
        }
        lab = started(new NetnsLab());
        lab.addBridge("br0");
        lab.addBridge("br1");
        lab.addNamespace("n1");
        lab.connect("n1", "eth0", "br0", NODE_MAC, "10.99.0.1/24");
        lab.connect("n1", "eth1", "br1", "02:99:00:00:01:01", "10.99.1.1/24");
        lab.addNamespace("c");
        lab.connect("c", "eth0", "br0", "02:99:00:00:00:64", "10.99.0.100/24");

        KafkaLedger ledger = started(LedgerFixture.open("fails-loud"));
        LedgerWriter writer = started(ledger.openWriter("test"));
        Ledgers.append(writer, Ledgers.pool("p", "10.99.0.200-10.99.0.220", Map.of()),
                Ledgers.l2("l2", List.of("p"), List.of(), Map.of()), Ledgers.assign("web", IP, "p", false));
        KubernetesMockServer kube = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        kube.init(InetAddress.getByName("127.0.0.1"), 0);
        started(kube::destroy);
        client = started(kube.createClient());
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("n1").endMetadata().build()).create();
        io.ledgerlb.speaker.k8s.EndpointSlices.servedFrom(client, "default", "web", "n1");
        int kafkaPort = Integer.parseInt(ledger.bootstrapServers().replaceAll(".*:", ""));
        started(Relay.unixToTcp(lab.dir().resolve(kafkaPort + ".sock"), kafkaPort));
        started(Relay.unixToTcp(lab.dir().resolve(kube.getPort() + ".sock"), kube.getPort()));

        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        lab.spawn("n1", List.of(java, "-Xmx128m", "-Dlogback.configurationFile=logback.xml", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", cp, NetnsMain.class.getName(), lab.dir().toString(),
                kafkaPort + "," + kube.getPort(), "--",
                "--node-name=n1", "--interface=eth0", "--interface=eth1",
                "--kafka-bootstrap=127.0.0.1:" + kafkaPort,
                "--events-topic=" + ledger.config().eventsTopic(), "--snapshots-topic=" + ledger.config().snapshotsTopic(),
                "--members-bind=10.99.0.1:7946", "--members-join-delay-ms=500",
                "--ledger-stale-after-ms=3000", "--metrics-port=7472",
                "--kubernetes-master=http://127.0.0.1:" + kube.getPort()), "n1.log");

        await().atMost(WAIT).until(() -> readyz() == 200 && arping().contains(NODE_MAC));

        // the interface under a capture thread disappears: the thread dies, and restarting it fails
        lab.exec("n1", "ip", "link", "del", "eth1");
        await().atMost(WAIT).until(() -> readyz() == 503);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(metrics()).contains("ledgerlb_speaker_component_up{component=\"capture-eth1\"} 0");
            assertThat(readyzBody()).contains("capture-eth1: its thread stopped");
            assertThat(warnings()).anySatisfy(m -> assertThat(m).contains("capture-eth1"));
        });
        assertThat(arping()).containsExactly(NODE_MAC);

        // the node loses Kafka: the ledger part goes down too, and the IP stays answered
        lab.exec("n1", "ip", "link", "set", "lo", "down");
        await().atMost(WAIT).until(() -> metrics().contains("ledgerlb_speaker_component_up{component=\"ledger\"} 0"));
        assertThat(arping()).containsExactly(NODE_MAC);

        lab.exec("n1", "ip", "link", "set", "lo", "up"); // the API server is behind it too: the Event comes now
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(warnings()).anySatisfy(m -> assertThat(m).contains("Kafka has not answered"));
            assertThat(metrics()).contains("ledgerlb_speaker_component_up{component=\"ledger\"} 1");
        });
        assertThat(readyz()).as("the capture on eth1 is still down").isEqualTo(503);
        assertThat(lab.log("n1.log")).contains("\"event\":\"componentDown\"");
    }

    int readyz() {
        String code = lab.exec("c", "curl", "-s", "-o", "/dev/null", "-m", "5", "-w", "%{http_code}",
                "http://10.99.0.1:7472/readyz").output().trim();
        return code.matches("\\d{3}") ? Integer.parseInt(code) : 0;
    }

    String readyzBody() {
        return lab.exec("c", "curl", "-s", "-m", "5", "http://10.99.0.1:7472/readyz").output();
    }

    String metrics() {
        return lab.exec("c", "curl", "-s", "-m", "5", "http://10.99.0.1:7472/metrics").output();
    }

    List<String> warnings() {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> "Warning".equals(e.getType()) && HealthEvents.downReason("speaker").equals(e.getReason())
                        && "n1".equals(e.getInvolvedObject().getName()))
                .map(e -> e.getMessage()).toList();
    }

    List<String> arping() {
        String out = lab.exec("c", "arping", "-c", "1", "-w", "1", "-I", "eth0", IP).output();
        return java.util.regex.Pattern.compile("reply from \\S+ \\[([0-9A-Fa-f:]+)\\]").matcher(out).results()
                .map(m -> m.group(1).toLowerCase()).toList();
    }
}
