package io.ledgerlb.allocator.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ledgerlb.allocator.cli.LedgerlbCommand;
import io.ledgerlb.allocator.k8s.adapter.MetalLbKinds;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every ledgerlb tool run against a running allocator's data folder: it goes through the admin
 * API, or refuses with a clear message — and the allocator (its embedded broker) lives on.
 */
class ToolsOnALiveDataDirTest {
    record Result(int exit, String out, String err) {}

    @Test
    void eachToolWorksThroughTheAdminApiOrRefusesAndTheAllocatorSurvives(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        try (AllocatorProcess allocator = new AllocatorProcess(data).start();
             KubernetesClient kube = allocator.kubernetes()) {
            kube.genericKubernetesResources(MetalLbKinds.IP_ADDRESS_POOL.context()).inNamespace("metallb-system")
                    .resource(new GenericKubernetesResourceBuilder()
                            .withApiVersion(MetalLbKinds.IP_ADDRESS_POOL.apiVersion()).withKind("IPAddressPool")
                            .withNewMetadata().withName("blue").withNamespace("metallb-system").endMetadata()
                            .withAdditionalProperties(Map.of("spec", Map.of("addresses", List.of("10.99.16.0/24"))))
                            .build()).create();
            String ip = ipOf(kube, "web");

            String d = data.toString();
            String a = allocator.admin();
            for (String[] direct : List.of(
                    new String[] {"verify", "--data-dir", d},
                    new String[] {"state", "--direct", "--data-dir", d},
                    new String[] {"replay", "--data-dir", d},
                    new String[] {"recover", "--data-dir", d},
                    new String[] {"audit", "--direct", "--ip", ip, "--data-dir", d},
                    new String[] {"snapshot", "list", "--data-dir", d},
                    new String[] {"snapshot", "verify", "--data-dir", d})) {
                Result r = run(direct);
                assertThat(r.exit()).as(String.join(" ", direct) + ": " + r.err()).isEqualTo(2);
                assertThat(r.err()).as(String.join(" ", direct)).contains("in use by another process")
                        .contains("ledgerlb run");
                assertThat(allocator.alive()).isTrue();
            }

            Result state = run("state", "--admin", a, "--data-dir", d);
            assertThat(state.exit()).as(state.err()).isZero();
            assertThat(state.out()).contains(ip);
            Result audit = run("audit", "--ip", ip, "--admin", a, "--data-dir", d);
            assertThat(audit.exit()).as(audit.err()).isZero();
            assertThat(audit.out()).contains("default/web");
            Result snapshot = run("snapshot", "create", "--admin", a, "--data-dir", d);
            assertThat(snapshot.exit()).as(snapshot.err()).isZero();

            // the allocator and its broker are unharmed: it still decides and answers
            assertThat(allocator.alive()).isTrue();
            assertThat(allocator.ready()).isTrue();
            assertThat(ipOf(kube, "after")).isNotEqualTo(ip);
        }
    }

    private static String ipOf(KubernetesClient kube, String name) {
        kube.services().inNamespace("default").resource(new ServiceBuilder()
                .withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withType("LoadBalancer").addNewPort().withPort(80).withProtocol("TCP").endPort().endSpec()
                .build()).create();
        String[] ip = {null};
        await().atMost(Duration.ofMinutes(2)).until(() -> {
            Service s = kube.services().inNamespace("default").withName(name).get();
            if (s.getStatus() != null && s.getStatus().getLoadBalancer() != null
                    && s.getStatus().getLoadBalancer().getIngress() != null
                    && !s.getStatus().getLoadBalancer().getIngress().isEmpty()) {
                ip[0] = s.getStatus().getLoadBalancer().getIngress().get(0).getIp();
            }
            return ip[0] != null;
        });
        return ip[0];
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = LedgerlbCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(new ArrayList<>(List.of(args)).toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }
}
