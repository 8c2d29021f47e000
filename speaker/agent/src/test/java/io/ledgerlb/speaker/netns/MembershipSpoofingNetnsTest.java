package io.ledgerlb.speaker.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static io.ledgerlb.speaker.netns.Layer2NetnsTest.ip;
import static io.ledgerlb.speaker.netns.Layer2NetnsTest.mac;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ledgerlb.lab.NetnsLab;
import io.ledgerlb.ledger.LedgerWriter;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.testing.LedgerFixture;
import io.ledgerlb.speaker.lab.NetnsMain;
import io.ledgerlb.speaker.lab.Relay;
import io.ledgerlb.speaker.members.GossipAttacker;
import io.ledgerlb.speaker.owner.Ledgers;
import io.ledgerlb.speaker.owner.OwnerChooser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 11's spoofing attacks, from an attacker's namespace on the speakers' L2 segment (the
 * bridge floods every frame, as a hub or a mirrored port would, so the attacker also sees the
 * speakers' own datagrams): a forged "n1 left" at incarnation 2^63-1, a fake member's heartbeats,
 * datagrams of unknown senders and garbage, and a captured genuine datagram sent again. Two
 * speakers (real processes, a real Kafka ledger, keyed as the lab keys them) must change nothing:
 * neither their live sets nor who answers ARP for each IP; and they must count every attempt.
 */
class MembershipSpoofingNetnsTest {
    static final List<String> NODES = List.of("n1", "n2");
    static final List<String> IPS = List.of("10.99.0.200", "10.99.0.201", "10.99.0.202", "10.99.0.203", "10.99.0.204", "10.99.0.205");

    static NetnsLab lab;
    static KafkaLedger ledger;
    static final List<Relay> relays = new ArrayList<>();

    @BeforeAll
    static void buildTheNetwork() throws Exception {
        boolean tools = NetnsLab.available() && NetnsLab.onPath("arping");
        if (System.getenv("CI") == null) {
            assumeTrue(tools, "needs root, iproute2, iputils-arping");
        }
        lab = new NetnsLab();
        lab.addBridge("br0");
        NetnsLab.run("ip", "-n", lab.ns(NetnsLab.BRIDGES), "link", "set", "br0", "type", "bridge", "ageing_time", "0");
        for (String node : NODES) {
            lab.addNamespace(node);
            lab.connect(node, "eth0", "br0", mac(node), ip(node) + "/24");
        }
        lab.addNamespace("c");
        lab.connect("c", "eth0", "br0", "02:99:00:00:00:64", "10.99.0.100/24");
        lab.addNamespace("x");
        lab.connect("x", "eth0", "br0", "02:99:00:00:00:66", "10.99.0.66/24");

        ledger = LedgerFixture.open("spoofing");
        try (LedgerWriter writer = ledger.openWriter("test")) {
            Ledgers.append(writer, Ledgers.pool("p", "10.99.0.200-10.99.0.209", Map.of()), Ledgers.l2("l2", List.of("p"), List.of(), Map.of()));
            for (int i = 0; i < IPS.size(); i++) {
                Ledgers.append(writer, Ledgers.assign("svc" + i, IPS.get(i), "p", false));
            }
        }
        int kafkaPort = Integer.parseInt(ledger.bootstrapServers().replaceAll(".*:", ""));
        relays.add(Relay.unixToTcp(lab.dir().resolve(kafkaPort + ".sock"), kafkaPort));
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String node : NODES) {
            lab.spawn(node, List.of(java, "-Xmx128m", "-Dlogback.configurationFile=logback.xml", "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1", "-cp", cp, NetnsMain.class.getName(), lab.dir().toString(), String.valueOf(kafkaPort), "--",
                    "--node-name=" + node, "--interface=eth0", "--kafka-bootstrap=127.0.0.1:" + kafkaPort, "--no-kubernetes",
                    "--events-topic=" + ledger.config().eventsTopic(), "--snapshots-topic=" + ledger.config().snapshotsTopic(),
                    "--members-bind=" + ip(node) + ":7946", "--members-seed=10.99.0.1:7946",
                    // generous timings: this machine is shared and loaded; the defaults are measured in bench/
                    "--members-fail-after-ms=2000", "--members-join-delay-ms=2000", "--metrics-port=7472"), node + ".log");
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (Relay r : relays) {
            r.close();
        }
        if (ledger != null) {
            ledger.close();
        }
        if (lab != null) {
            java.nio.file.Path kept = java.nio.file.Files.createDirectories(java.nio.file.Path.of("target", "netns-logs"));
            for (String node : NODES) {
                java.nio.file.Files.writeString(kept.resolve("spoofing-" + node + ".log"), lab.log(node + ".log"));
            }
            lab.close();
        }
    }

    @Test
    void forgedReplayedAndUnknownDatagramsChangeNothingAndAreCounted() throws Exception {
        Map<String, String> owners = new LinkedHashMap<>();
        IPS.forEach(ip -> owners.put(ip, mac(OwnerChooser.owner(ip, NODES).orElseThrow())));
        assertThat(owners.values()).as("both nodes own some IPs").containsAll(List.of(mac("n1"), mac("n2")));
        await().atMost(Duration.ofSeconds(150)).untilAsserted(() -> assertThat(answers()).isEqualTo(owners));
        Map<String, Integer> changesBefore = membershipChanges();

        String n1 = ip("n1") + ":7946";
        String n2 = ip("n2") + ":7946";
        Process replay = attackInBackground("replay", "eth0", ip("n1"), n2);
        int toEach = attack("fake", n1, n2) / 2 + attack("unknown", n1, n2) / 2;
        int unauthenticatedAtN2 = toEach + attack("leave", n2, "n1", n1);
        assertThat(replay.waitFor()).isZero();
        assertThat(new String(replay.getInputStream().readAllBytes())).contains("sent 4");

        Thread.sleep(5000); // past join delay + fail-after: a fake member would be eligible, a victim's IPs moved
        assertThat(answers()).as("who answers ARP for each IP").isEqualTo(owners);
        assertThat(membershipChanges()).as("membersChanged log lines per node").isEqualTo(changesBefore);

        Map<String, Long> dropped = dropped("n2");
        assertThat(dropped.get("unauthenticated")).isGreaterThanOrEqualTo(unauthenticatedAtN2);
        assertThat(dropped.get("replayed")).isGreaterThanOrEqualTo(3);
        assertThat(dropped.get("stale")).isGreaterThanOrEqualTo(1);
        assertThat(dropped("n1").get("unauthenticated")).isGreaterThanOrEqualTo(toEach);
        assertThat(lab.log("n2.log")).contains("\"event\":\"membershipDatagramDropped\"");
    }

    /** Which MAC answered ARP for each IP, one request each, from the client. */
    static Map<String, String> answers() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String ip : IPS) {
            Matcher m = Pattern.compile("reply from \\S+ \\[([0-9A-Fa-f:]+)\\]")
                    .matcher(lab.exec("c", "arping", "-c", "1", "-w", "1", "-I", "eth0", ip).output());
            List<String> macs = new ArrayList<>();
            while (m.find()) {
                macs.add(m.group(1).toLowerCase());
            }
            out.put(ip, String.join(",", macs));
        }
        return out;
    }

    static Map<String, Integer> membershipChanges() {
        Map<String, Integer> out = new LinkedHashMap<>();
        NODES.forEach(n -> out.put(n, lab.log(n + ".log").split(Pattern.quote("\"event\":\"membersChanged\""), -1).length - 1));
        return out;
    }

    static List<String> attacker(String... args) {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx64m",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                GossipAttacker.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** Runs an attack from the attacker's namespace; the number of datagrams it sent. */
    static int attack(String... args) {
        NetnsLab.Result r = lab.exec("x", attacker(args).toArray(String[]::new));
        assertThat(r.ok()).as(r.output()).isTrue();
        Matcher m = Pattern.compile("sent (\\d+)").matcher(r.output());
        assertThat(m.find()).as(r.output()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    static Process attackInBackground(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", lab.ns("x")));
        command.addAll(attacker(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    static Map<String, Long> dropped(String node) {
        NetnsLab.Result r = lab.exec(node, attacker("metrics", "http://127.0.0.1:7472/metrics").toArray(String[]::new));
        Map<String, Long> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("metallb_speaker_membership_datagrams_dropped\\{reason=\"(\\w+)\"\\} (\\d+)").matcher(r.output());
        while (m.find()) {
            out.put(m.group(1), Long.parseLong(m.group(2)));
        }
        assertThat(out).as(r.output()).isNotEmpty();
        return out;
    }
}
