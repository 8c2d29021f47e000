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
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.LedgerWriter;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.testing.LedgerAttacker;
import io.ledgerlb.ledger.testing.LedgerFixture;
import io.ledgerlb.speaker.k8s.EndpointSlices;
import io.ledgerlb.speaker.k8s.ServiceL2Status;
import io.ledgerlb.speaker.l2.Frames;
import io.ledgerlb.speaker.l2.MacAddress;
import io.ledgerlb.lab.NetnsLab;
import io.ledgerlb.lab.SilentPeerMain;
import io.ledgerlb.lab.SlowApiDispatcher;
import io.ledgerlb.events.v1.BgpAdvertisementDefined;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.speaker.lab.NetnsMain;
import io.ledgerlb.speaker.lab.Relay;
import io.ledgerlb.speaker.owner.Ledgers;
import io.ledgerlb.speaker.owner.OwnerChooser;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three speakers, each a JVM in a "node" namespace, and a client namespace, joined by a bridge
 * that lives in a namespace of its own; the real Linux ARP/NDP stack of the client asks, the
 * speakers answer. The ledger is a real Kafka broker in this JVM, Kubernetes the fabric8 CRUD
 * mock; both reach the speakers through Unix-socket relays.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Layer2NetnsTest {
    static final List<String> NODES = List.of("n1", "n2", "n3");
    static final String WEB_V4 = "10.99.0.200";
    static final String WEB_V6 = "fd00:99::200";
    static final String LOCAL_V4 = "10.99.0.201";
    static final String UNASSIGNED = "10.99.0.210";
    static final String UNKNOWN_POOL_IP = "10.99.0.211";
    static final String FORGED_V4 = "10.99.0.212";
    static final String NEXT_V4 = "10.99.0.213";

    static NetnsLab lab;
    static KafkaLedger ledger;
    static LedgerWriter writer;
    static KubernetesMockServer kube;
    static SlowApiDispatcher api;
    static KubernetesClient client;
    static final List<Relay> relays = new ArrayList<>();
    static final Map<String, Process> speakers = new HashMap<>();
    static int kafkaPort;

    static String mac(String node) {
        return "02:99:00:00:00:0" + node.charAt(1);
    }

    static String ip(String node) {
        return "10.99.0." + node.charAt(1);
    }

    @BeforeAll
    static void buildTheNetwork() throws Exception {
        boolean tools = NetnsLab.available() && NetnsLab.onPath("arping") && NetnsLab.onPath("ndisc6") && NetnsLab.onPath("ping");
        if (System.getenv("CI") == null) {
            assumeTrue(tools, "needs root, iproute2, iputils-arping, ndisc6, iputils-ping");
        }
        lab = new NetnsLab();
        lab.addBridge("br0");
        lab.addBridge("br1");
        for (String node : NODES) {
            lab.addNamespace(node);
            lab.connect(node, "eth0", "br0", mac(node), ip(node) + "/24", "fd00:99::" + node.charAt(1) + "/64");
            lab.connect(node, "eth1", "br1", "02:99:00:00:01:0" + node.charAt(1), "10.99.1." + node.charAt(1) + "/24");
        }
        lab.addNamespace("c");
        lab.connect("c", "eth0", "br0", "02:99:00:00:00:64", "10.99.0.100/24", "fd00:99::100/64");
        lab.connect("c", "eth1", "br1", "02:99:00:00:01:64", "10.99.1.100/24");

        ledger = LedgerFixture.open("layer2");
        writer = ledger.openWriter("test");
        append(Ledgers.pool("p", "10.99.0.200-10.99.0.220", Map.of()).setPoolDefined(
                        Ledgers.pool("p", "10.99.0.200-10.99.0.220", Map.of()).getPoolDefined().toBuilder().addAddresses("fd00:99::200/124")),
                Ledgers.l2("l2", List.of("p"), List.of(), Map.of()),
                Ledgers.assign("web", WEB_V4, "p", false),
                Ledgers.assign("web", WEB_V6, "p", false),
                Ledgers.assign("local", LOCAL_V4, "p", true));

        api = new SlowApiDispatcher(new KubernetesCrudDispatcher());
        kube = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), api, false);
        kube.init(InetAddress.getByName("127.0.0.1"), 0);
        client = kube.createClient();
        for (String node : NODES) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(node).endMetadata()
                    .withNewStatus().addNewAddress().withType("InternalIP").withAddress(ip(node)).endAddress().endStatus()
                    .build()).create();
        }
        serveLocalFrom("n1");
        for (String served : List.of("web", "next", "evil")) { // Cluster policy: announced only with a serving endpoint somewhere
            EndpointSlices.servedFrom(client, "default", served, "n2");
        }

        kafkaPort = Integer.parseInt(ledger.bootstrapServers().replaceAll(".*:", ""));
        relays.add(Relay.unixToTcp(lab.dir().resolve(kafkaPort + ".sock"), kafkaPort));
        relays.add(Relay.unixToTcp(lab.dir().resolve(kube.getPort() + ".sock"), kube.getPort()));
        for (String node : NODES) {
            startSpeaker(node);
        }
        for (String node : NODES) {
            await().atMost(Duration.ofSeconds(150)).until(() -> lab.log(node + ".log").contains("\"event\":\"ledgerCaughtUp\""));
        }
    }

    static void startSpeaker(String node) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(java, "-Xmx128m", "-Dlogback.configurationFile=logback.xml", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", cp, NetnsMain.class.getName(), lab.dir().toString(), kafkaPort + "," + kube.getPort(), "--",
                "--node-name=" + node, "--interface=eth0",
                "--kafka-bootstrap=127.0.0.1:" + kafkaPort, "--trusted-keys=" + LedgerFixture.trustedKeysFile(),
                "--events-topic=" + ledger.config().eventsTopic(), "--snapshots-topic=" + ledger.config().snapshotsTopic(),
                "--members-bind=" + ip(node) + ":7946", "--members-seed=10.99.0.1:7946",
                // generous timings: this machine is shared and loaded; the defaults are measured in bench/
                "--members-fail-after-ms=2000", "--members-join-delay-ms=2000",
                "--metrics-port=0", "--kubernetes-master=http://127.0.0.1:" + kube.getPort()));
        speakers.put(node, lab.spawn(node, command, node + ".log"));
    }

    static void append(Event.Builder... bodies) throws Exception {
        Ledgers.append(writer, bodies);
    }

    static void serveLocalFrom(String node) {
        EndpointSlices.servedFrom(client, "default", "local", node);
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (Relay r : relays) {
            r.close();
        }
        if (writer != null) {
            writer.close();
        }
        if (ledger != null) {
            ledger.close();
        }
        if (client != null) {
            client.close();
        }
        if (kube != null) {
            kube.destroy();
        }
        if (lab != null) {
            java.nio.file.Path kept = java.nio.file.Path.of("target", "netns-logs");
            java.nio.file.Files.createDirectories(kept);
            for (String node : NODES) {
                java.nio.file.Files.writeString(kept.resolve(node + ".log"), lab.log(node + ".log"));
            }
            lab.close();
        }
    }

    // ---- what the client sees

    static final Pattern ARP_REPLY = Pattern.compile("reply from \\S+ \\[([0-9A-Fa-f:]+)\\]");

    /** The MACs that answered one ARP request from the client (over 1 s). */
    static List<String> arping(String iface, String ip) {
        NetnsLab.Result r = lab.exec("c", "arping", "-c", "1", "-w", "1", "-I", iface, ip);
        List<String> macs = new ArrayList<>();
        Matcher m = ARP_REPLY.matcher(r.output());
        while (m.find()) {
            macs.add(m.group(1).toLowerCase());
        }
        return macs;
    }

    static List<String> ndisc(String ip) {
        NetnsLab.Result r = lab.exec("c", "ndisc6", "-n", "-r", "1", "-w", "1000", ip, "eth0");
        List<String> macs = new ArrayList<>();
        Matcher m = Pattern.compile("link-layer address: ([0-9A-Fa-f:]+)").matcher(r.output());
        while (m.find()) {
            macs.add(m.group(1).toLowerCase());
        }
        return macs;
    }

    static String neighbour(String ip) {
        String out = lab.exec("c", "ip", "neigh", "show", ip, "dev", "eth0").output();
        Matcher m = Pattern.compile("lladdr ([0-9a-f:]+)").matcher(out);
        return m.find() ? m.group(1) : "";
    }

    static String ownerOf(String ip, List<String> nodes) {
        return OwnerChooser.owner(ip, nodes).orElseThrow();
    }

    @Test
    @Order(1)
    void theOwnerAnswersArpNdpAndPingAndNobodyElse() {
        String owner = ownerOf(WEB_V4, NODES);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(arping("eth0", WEB_V4)).containsExactly(mac(owner)));
        String owner6 = ownerOf(WEB_V6, NODES);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(ndisc(WEB_V6)).containsExactly(mac(owner6)));

        lab.exec("c", "ping", "-c", "1", "-W", "1", WEB_V4);
        assertThat(neighbour(WEB_V4)).isEqualTo(mac(owner));

        assertThat(arping("eth0", UNASSIGNED)).isEmpty();
        assertThat(ndisc("fd00:99::20f")).isEmpty();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<ServiceL2Status> statuses = client.resources(ServiceL2Status.class).inNamespace("metallb-system")
                    .withLabel(ServiceL2Status.SERVICE_NAME_LABEL, "web").list().getItems();
            assertThat(statuses).extracting(s -> s.getStatus().getNode()).containsExactlyInAnyOrder(owner, owner6)
                    .hasSize(owner.equals(owner6) ? 1 : 2);
            assertThat(client.v1().events().inNamespace("default").list().getItems())
                    .anyMatch(e -> "nodeAssigned".equals(e.getReason()) && "web".equals(e.getInvolvedObject().getName()));
        });
        assertThat(lab.log(owner + ".log")).contains("\"event\":\"serviceAnnounced\"").contains("\"ip\":\"" + WEB_V4 + "\"");
    }

    @Test
    @Order(2)
    void trafficPolicyLocalFollowsTheNodeWithAServingEndpoint() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(arping("eth0", LOCAL_V4)).containsExactly(mac("n1")));
        serveLocalFrom("n3");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(arping("eth0", LOCAL_V4)).containsExactly(mac("n3")));
    }

    @Test
    @Order(3)
    void badInputIsIgnoredWithALogLine() throws Exception {
        String owner = ownerOf(WEB_V4, NODES);
        MacAddress client = MacAddress.parse("02:99:00:00:00:64");
        byte[] arp = Frames.gratuitousArp(client, (java.net.Inet4Address) InetAddress.getByName(WEB_V4));
        byte[] truncated = java.util.Arrays.copyOf(arp, 30);
        byte[] badNs = java.util.Arrays.copyOf(Frames.unsolicitedAdvertisement(client,
                (java.net.Inet6Address) InetAddress.getByName(WEB_V6)), 86);
        badNs[54] = (byte) 135; // a "solicitation" with a wrong checksum
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        NetnsLab.Result sent = lab.exec("c", java, "-cp", cp, FrameSender.class.getName(), "eth0",
                HexFormat.of().formatHex(truncated), HexFormat.of().formatHex(badNs));
        assertThat(sent.ok()).as(sent.output()).isTrue();

        append(Ledgers.assign("ghost", UNKNOWN_POOL_IP, "nowhere", false));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(lab.log(owner + ".log")).contains("ignoring malformed frame").contains("truncated ARP");
            assertThat(lab.log(owner + ".log")).contains("bad checksum");
            assertThat(lab.log(owner + ".log")).contains("\"event\":\"ipNotAnnounced\"").contains("nowhere");
        });
        assertThat(arping("eth0", UNKNOWN_POOL_IP)).isEmpty();
        assertThat(arping("eth1", WEB_V4)).as("eth1 is not a selected interface").isEmpty();
        assertThat(arping("eth0", WEB_V4)).containsExactly(mac(owner));
        speakers.values().forEach(p -> assertThat(p.isAlive()).isTrue());
    }

    /**
     * The forgery of issue 11 against real speakers: a plain Kafka producer appends the next
     * IpAssigned (right sequence and prev_hash, no signature). No speaker ever announces it, each
     * logs and counts it and raises an Event on its Node, and the real allocator's next
     * assignment — made after the forgery — is announced.
     */
    @Test
    @Order(4)
    void aForgedAssignmentIsNeverAnnouncedAndTheNextRealOneIs() throws Exception {
        LedgerAttacker attacker = new LedgerAttacker(ledger);
        LedgerEntry forged = LedgerAttacker.forgeAfter(attacker.tail(), Ledgers.assign("evil", FORGED_V4, "p", false).build());
        attacker.append(forged.encode());

        append(Ledgers.assign("next", NEXT_V4, "p", false));
        String owner = ownerOf(NEXT_V4, NODES);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(arping("eth0", NEXT_V4)).containsExactly(mac(owner)));
        // each speaker folds in log order: having announced the later real entry, it has passed the forged one by
        for (String node : NODES) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(lab.log(node + ".log"))
                    .contains("\"event\":\"ledgerRecordPassedOver\"").contains("\"sequence\":\"" + forged.sequence() + "\""));
        }
        assertThat(arping("eth0", FORGED_V4)).as("the forged IP").isEmpty();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(client.v1().events().inAnyNamespace().list().getItems())
                        .filteredOn(e -> "LedgerRecordPassedOver".equals(e.getReason()))
                        .extracting(e -> e.getInvolvedObject().getName()).containsAll(NODES));
        speakers.values().forEach(p -> assertThat(p.isAlive()).isTrue());
    }

    @Test
    @Order(5)
    void aKilledOwnersIpsMoveAndComeBackWithoutFlapping() throws Exception {
        String owner = ownerOf(WEB_V4, NODES);
        List<String> rest = new ArrayList<>(NODES);
        rest.remove(owner);
        String next = ownerOf(WEB_V4, rest);
        lab.exec("c", "ping", "-c", "1", "-W", "1", WEB_V4);
        assertThat(neighbour(WEB_V4)).isEqualTo(mac(owner));

        long takeoversBefore = takeovers(next);
        speakers.get(owner).destroyForcibly().waitFor();
        // the client sends nothing: the new owner's gratuitous ARP moves its entry
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(neighbour(WEB_V4)).isEqualTo(mac(next)));
        assertThat(arping("eth0", WEB_V4)).containsExactly(mac(next));

        startSpeaker(owner);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(neighbour(WEB_V4)).isEqualTo(mac(owner)));
        for (int i = 0; i < 5; i++) {
            assertThat(arping("eth0", WEB_V4)).as("one answer, from the owner, every time").containsExactly(mac(owner));
        }
        assertThat(takeovers(next) - takeoversBefore).as("the IP moved to %s once", next).isEqualTo(1);
    }

    /** How often a node has taken over WEB_V4 so far (at start-up too, before all speakers were eligible). */
    private static long takeovers(String node) {
        return lab.log(node + ".log").lines()
                .filter(l -> l.contains("\"event\":\"serviceAnnounced\"") && l.contains("\"ip\":\"" + WEB_V4 + "\""))
                .count();
    }

    @Test
    @Order(6)
    void gracefulShutdownHandsOverBeforeStopping() throws Exception {
        String owner = ownerOf(WEB_V4, NODES);
        List<String> rest = new ArrayList<>(NODES);
        rest.remove(owner);
        String next = ownerOf(WEB_V4, rest);
        int before = count(lab.log(next + ".log"), "\"event\":\"gratuitousSent\"");

        speakers.get(owner).destroy(); // SIGTERM
        speakers.get(owner).waitFor();

        String oldLog = lab.log(owner + ".log");
        String newLog = lab.log(next + ".log");
        assertThat(count(newLog, "\"event\":\"gratuitousSent\"")).as("the new owner announced before the old one exited")
                .isGreaterThan(before);
        assertThat(oldLog).contains("\"event\":\"shutdown\"");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(neighbour(WEB_V4)).isEqualTo(mac(next)));
    }

    /**
     * Layer 2 is held up neither by BGP nor by the API server: every speaker has a BGP peer that
     * accepted the connection and reads nothing, and one whose SYNs are dropped; the API server
     * answers nothing for ten minutes. A killed owner's IP still moves to the next owner, whose
     * sessions are still not up and whose API requests are still unanswered.
     */
    @Test
    @Order(7)
    void aFailoverIsHeldUpNeitherBySilentOrUnreachableBgpPeersNorByTheApiServer() throws Exception {
        for (String node : NODES) {
            if (!speakers.get(node).isAlive()) {
                startSpeaker(node);
            }
        }
        String owner = ownerOf(WEB_V4, NODES);
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(neighbour(WEB_V4)).isEqualTo(mac(owner)));

        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        lab.spawn("c", List.of(java, "-Xmx32m", "-XX:+UseSerialGC", "-cp", cp, SilentPeerMain.class.getName(), "10.99.1.100", "179"),
                "silent-peer.log");
        for (String node : NODES) {
            lab.exec(node, "ip", "route", "add", "10.99.9.0/24", "via", "10.99.0.100"); // c forwards nothing: SYNs vanish
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> lab.log("silent-peer.log").contains("listening"));
        append(Event.newBuilder().setBgpPeerDefined(BgpPeerDefined.newBuilder().setName("silent").setMyAsn(64512)
                        .setPeerAsn(64513).setPeerAddress("10.99.1.100")),
                Event.newBuilder().setBgpPeerDefined(BgpPeerDefined.newBuilder().setName("unreachable").setMyAsn(64512)
                        .setPeerAsn(64513).setPeerAddress("10.99.9.1").setConnectTimeSeconds(10)),
                Event.newBuilder().setBgpAdvertisementDefined(BgpAdvertisementDefined.newBuilder().setName("bgp").addIpAddressPools("p")));
        await().atMost(Duration.ofSeconds(90)).until(() -> count(lab.log("silent-peer.log"), "reading nothing") >= NODES.size());

        List<String> rest = new ArrayList<>(NODES);
        rest.remove(owner);
        String next = ownerOf(WEB_V4, rest);
        api.slowDown(Duration.ofMinutes(10));
        int delayedBefore = api.delayed();
        speakers.get(owner).destroyForcibly().waitFor();

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(neighbour(WEB_V4)).isEqualTo(mac(next)));
        assertThat(arping("eth0", WEB_V4)).containsExactly(mac(next));
        String nextLog = lab.log(next + ".log");
        assertThat(nextLog).as("%s's BGP sessions never came up", next)
                .doesNotContain("\"to\":\"ESTABLISHED\"");
        assertThat(nextLog).contains("silent").contains("unreachable");
        assertThat(api.delayed()).as("the speakers asked the API server meanwhile, and it held the answers back")
                .isGreaterThan(delayedBefore);
        api.slowDown(Duration.ZERO);
    }

    static int count(String text, String needle) {
        return text.split(Pattern.quote(needle), -1).length - 1;
    }
}
