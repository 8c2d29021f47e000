package io.ledgerlb.speaker.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ledgerlb.lab.NetnsLab;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.LedgerWriter;
import io.ledgerlb.ledger.kafka.EmbeddedKafka;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.testing.LedgerFixture;
import io.ledgerlb.speaker.lab.NetnsMain;
import io.ledgerlb.speaker.lab.Relay;
import io.ledgerlb.speaker.owner.Ledgers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 item 6: a speaker told to stop (SIGTERM) after its Kafka is gone leaves and exits
 * within a bound, instead of waiting on clients of a broker that will not answer. The broker is
 * one of the test's own, stopped for good; the bound is generous, not a benchmark.
 */
class BoundedShutdownNetnsTest {
    static final Duration EXIT_BOUND = Duration.ofSeconds(10);

    @Test
    void aSpeakerWhoseKafkaIsGoneExitsPromptlyOnSigterm(@TempDir Path dir) throws Exception {
        if (System.getenv("CI") == null) {
            assumeTrue(NetnsLab.available(), "needs root and iproute2");
        }
        EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        try (NetnsLab lab = new NetnsLab()) {
            lab.addBridge("br0");
            lab.addNamespace("n1");
            lab.connect("n1", "eth0", "br0", "02:99:00:00:00:01", "10.99.0.1/24");
            LedgerConfig config = LedgerConfig.external(kafka.bootstrapServers(), Map.of())
                    .withTopics("shutdown.events", "shutdown.snapshots").withSigningKey(LedgerFixture.signingKey());
            try (KafkaLedger ledger = KafkaLedger.open(config); LedgerWriter writer = ledger.openWriter("test")) {
                Ledgers.append(writer, Ledgers.pool("p", "10.99.0.200-10.99.0.220", Map.of()),
                        Ledgers.l2("l2", List.of("p"), List.of(), Map.of()), Ledgers.assign("web", "10.99.0.200", "p", false));
            }
            int kafkaPort = Integer.parseInt(kafka.bootstrapServers().replaceAll(".*:", ""));
            try (Relay relay = Relay.unixToTcp(lab.dir().resolve(kafkaPort + ".sock"), kafkaPort)) {
                String java = ProcessHandle.current().info().command().orElse("java");
                String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
                Process speaker = lab.spawn("n1", List.of(java, "-Xmx128m", "-Dlogback.configurationFile=logback.xml",
                        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", cp, NetnsMain.class.getName(),
                        lab.dir().toString(), String.valueOf(kafkaPort), "--",
                        "--node-name=n1", "--interface=eth0", "--no-kubernetes",
                        "--kafka-bootstrap=127.0.0.1:" + kafkaPort, "--trusted-keys=" + LedgerFixture.trustedKeysFile(),
                        "--events-topic=shutdown.events", "--snapshots-topic=shutdown.snapshots",
                        "--members-bind=10.99.0.1:7946", "--ledger-stale-after-ms=3000", "--metrics-port=7472"), "n1.log");
                await().atMost(Duration.ofMinutes(2)).until(() -> lab.log("n1.log").contains("speaker started"));

                kafka.stop(); // Kafka is gone, for good
                await().atMost(Duration.ofMinutes(1)).until(() -> lab.log("n1.log").contains("\"event\":\"componentDown\""));

                speaker.destroy(); // SIGTERM
                boolean exited = speaker.waitFor(EXIT_BOUND.toMillis(), TimeUnit.MILLISECONDS);
                String log = lab.log("n1.log");
                Files.createDirectories(Path.of("target", "netns-logs"));
                Files.writeString(Path.of("target", "netns-logs", "bounded-shutdown-n1.log"), log);
                assertThat(exited).as("the speaker exited within " + EXIT_BOUND + " of SIGTERM; its log:\n" + log).isTrue();
                assertThat(log).contains("leaving");
            }
        } finally {
            kafka.close();
        }
    }
}
