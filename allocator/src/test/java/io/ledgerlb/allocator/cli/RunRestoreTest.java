package io.ledgerlb.allocator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.ledgerlb.allocator.controller.AllocatorController;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.kafka.KafkaLedgerWriter;
import io.ledgerlb.ledger.testing.LedgerFixture;
import io.ledgerlb.ledger.testing.SampleEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code ledgerlb run --restore --admin 127.0.0.1:0} on a ledger whose cluster is gone (a fresh
 * local API): restore mode is on before anything is decided, {@code restore status} names the
 * missing Services, one applied again gets its IP back, {@code restore end} releases the other.
 * Restarted with the flag during the restore, it stays in it; restarted with it after the end (and a
 * snapshot), it runs normally.
 */
class RunRestoreTest {
    static final Duration WAIT = Duration.ofMinutes(2);

    @Test
    void runWithRestoreKeepsTheLedgersIpsForServicesOfAClusterThatIsGone(@TempDir Path dir) throws Exception {
        LedgerConfig config = LedgerFixture.config("run-restore");
        try (KafkaLedger ledger = KafkaLedger.open(config); KafkaLedgerWriter writer = ledger.openWriter("old")) {
            writer.append(List.of(SampleEvents.pool("p", "10.99.0.0/24"), SampleEvents.assign("s1", "10.99.0.1"),
                    SampleEvents.assign("s2", "10.99.0.2")));
        }
        try (RunningAllocator first = running(config, dir)) {
            await().atMost(WAIT).until(() -> CliUsageTest.run("restore", "status", "--admin", first.admin()).out()
                    .contains("restore mode on"));
        }
        // a restart with the flag during the restore stays in it, with the same Services missing
        try (RunningAllocator second = running(config, dir)) {
            String admin = second.admin();
            await().atMost(WAIT).until(() -> CliUsageTest.run("restore", "status", "--admin", admin).out()
                    .contains("restore mode on"));
            CliUsageTest.Result status = CliUsageTest.run("restore", "status", "--admin", admin, "--json");
            assertThat(EventFormat.JSON.readTree(status.out()).get("missing").toString())
                    .contains("default/s1").contains("10.99.0.1").contains("default/s2").contains("10.99.0.2");

            try (KubernetesClient kube = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(
                    Files.readString(dir.resolve("kubeconfig")))).build()) {
                // a newcomer first, then s2 again: each gets what restore mode allows
                for (String name : List.of("fresh", "s2")) {
                    kube.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata()
                            .withName(name).withNamespace("default").endMetadata().withNewSpec().withType("LoadBalancer")
                            .addNewPort().withPort(80).endPort().endSpec().build()).create();
                }
                await().atMost(WAIT).until(() -> ingress(kube, "s2").equals(List.of("10.99.0.2"))
                        && ingress(kube, "fresh").size() == 1);
                assertThat(ingress(kube, "fresh")).containsExactly("10.99.0.0");
            }
            CliUsageTest.Result end = CliUsageTest.run("restore", "end", "--admin", admin);
            assertThat(end.exit()).as(end.err()).isZero();
            assertThat(end.out()).contains("restore mode is off; released [10.99.0.1]");
            // the restart below folds from a snapshot that covers the RestoreEnded
            CliUsageTest.Result snapshot = CliUsageTest.run("snapshot", "create", "--admin", admin);
            assertThat(snapshot.exit()).as(snapshot.err()).isZero();
        }
        // after `restore end`, a restart with the flag still on the command line runs normally and says why
        Logger logger = (Logger) LoggerFactory.getLogger(AllocatorController.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try (RunningAllocator third = running(config, dir)) {
            await().atMost(WAIT).until(() -> logged.list.stream().map(ILoggingEvent::getFormattedMessage)
                    .anyMatch(m -> m.startsWith("--restore: restore mode is not started again, it already ended at sequence")));
            CliUsageTest.Result status = CliUsageTest.run("restore", "status", "--admin", third.admin());
            assertThat(status.out()).as(status.err()).contains("restore mode off").contains("0 Services missing");
        } finally {
            logger.detachAppender(logged);
        }
    }

    /** {@code ledgerlb run --restore} on the test's ledger and data dir. */
    private static RunningAllocator running(LedgerConfig config, Path dir) {
        return RunningAllocator.start(config, dir, "--restore", "--explorer-port", "-1", "--instance", "restore-test");
    }

    private static List<String> ingress(KubernetesClient kube, String name) {
        var s = kube.services().inNamespace("default").withName(name).get();
        return s == null || s.getStatus() == null || s.getStatus().getLoadBalancer() == null
                || s.getStatus().getLoadBalancer().getIngress() == null ? List.of()
                : s.getStatus().getLoadBalancer().getIngress().stream().map(i -> i.getIp()).toList();
    }
}
