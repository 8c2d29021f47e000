package io.ledgerlb.allocator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.ledgerlb.allocator.controller.BrokenChainTest;
import io.ledgerlb.kube.health.Health;
import io.ledgerlb.kube.health.HealthEvents;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.kafka.KafkaLedgerWriter;
import io.ledgerlb.ledger.testing.LedgerFixture;
import io.ledgerlb.ledger.testing.SampleEvents;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code ledgerlb run} reports its parts as the speaker does (kube-common's {@code Health}): each
 * part a gauge {@code ledgerlb_allocator_component_up}, {@code /readyz} 503 naming the parts that
 * are not up, and a part going down a WARN line and a Warning Event on the allocator's Pod.
 */
class AllocatorReadyzTest {
    static final Duration WAIT = RunningAllocator.WAIT;
    static final List<String> PARTS = List.of("admin", "chain", "explorer", "informers", "leadership", "ledger", "ledger-appends");

    @Test
    void everyPartIsReportedAndReadyzAnswersWhenAllWork(@TempDir Path dir) throws Exception {
        LedgerConfig config = LedgerFixture.config("readyz-ok");
        try (KafkaLedger ledger = KafkaLedger.open(config); KafkaLedgerWriter writer = ledger.openWriter("old")) {
            writer.append(List.of(SampleEvents.pool("p", "10.99.0.0/24")));
        }
        try (RunningAllocator run = RunningAllocator.start(config, dir, "--explorer-port", "0", "--instance", "readyz-ok")) {
            await().atMost(WAIT).until(() -> run.get("/readyz").statusCode() == 200);
            assertThat(run.get("/readyz").body()).isEqualTo("ready\n");
            String metrics = run.get("/metrics").body();
            PARTS.forEach(part -> assertThat(metrics).contains("ledgerlb_allocator_component_up{component=\"" + part + "\"} 1"));
        }
    }

    @Test
    void aBrokenChainTurnsReadyzFalseWithItsReasonAWarningAndAnEventOnThePod(@TempDir Path dir) throws Exception {
        LedgerConfig config = LedgerFixture.config("readyz-fork");
        try (KafkaLedger ledger = KafkaLedger.open(config)) {
            BrokenChainTest.signedFork(ledger);
        }
        Logger logger = (Logger) LoggerFactory.getLogger(Health.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try (RunningAllocator run = RunningAllocator.start(config, dir, "--explorer-port", "0", "--instance", "readyz-fork",
                "--lease-namespace", "ledgerlb-system")) {
            await().atMost(WAIT).until(() -> run.get("/metrics").body()
                    .contains("ledgerlb_allocator_component_up{component=\"chain\"} 0"));
            HttpResponse<String> readyz = run.get("/readyz");
            assertThat(readyz.statusCode()).isEqualTo(503);
            assertThat(readyz.body()).startsWith("not ready\n").containsPattern("(?m)^chain: .+");
            assertThat(run.get("/metrics").body())
                    .contains("ledgerlb_allocator_component_failures_total{component=\"chain\"} 1");
            await().atMost(WAIT).until(() -> logged.list.stream().anyMatch(e -> e.getLevel().toString().equals("WARN")
                    && e.getFormattedMessage().startsWith("allocator part chain is down: ")));
            try (KubernetesClient kube = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(
                    Files.readString(dir.resolve("kubeconfig")))).build()) {
                await().atMost(WAIT).untilAsserted(() -> assertThat(kube.v1().events().inNamespace("ledgerlb-system")
                        .list().getItems()).anySatisfy(e -> {
                            assertThat(e.getType()).isEqualTo("Warning");
                            assertThat(e.getReason()).isEqualTo(HealthEvents.downReason("allocator"))
                                    .isEqualTo("AllocatorComponentDown");
                            assertThat(e.getInvolvedObject().getKind() + "/" + e.getInvolvedObject().getName())
                                    .isEqualTo("Pod/readyz-fork");
                            assertThat(e.getMessage()).startsWith("allocator part chain is down: ");
                        }));
            }
        } finally {
            logger.detachAppender(logged);
        }
    }
}
