package io.ledgerlb.allocator.readme;

import static io.ledgerlb.allocator.readme.ReadmeLabIT.REPO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's "What the run command does": {@code java -jar allocator/target/ledgerlb.jar run} on a
 * fresh directory (its {@code ./data} is the embedded default), then the block README says to
 * paste "from a second terminal", as written, checking what each command shows. The commands run
 * in a scratch directory whose {@code allocator/target/ledgerlb.jar} is the built jar, so README's
 * relative paths hold and nothing is written into the checkout.
 */
class ReadmeRunIT {

    @Test
    void readmesRunCommandAndTheSecondTerminalsCommandsWorkAsWritten(@TempDir Path dir) throws Exception {
        assumeTrue(hasKubectl(), "needs kubectl (.ci/install-deps installs it)");
        String run = firstCodeSpanAfter("## What the run command does");
        assertThat(run).isEqualTo("java -jar allocator/target/ledgerlb.jar run");
        Files.createDirectories(dir.resolve("allocator/target"));
        Files.createSymbolicLink(dir.resolve("allocator/target/ledgerlb.jar"), REPO.resolve("allocator/target/ledgerlb.jar"));

        Path log = dir.resolve("run.log");
        Process allocator = new ProcessBuilder("bash", "-c", "exec " + run).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            String banner = awaitIn(log, allocator, "allocator:   ");
            assertThat(banner).contains("ledger:      embedded Kafka at 127.0.0.1:", "kubernetes:  local API at http://127.0.0.1:",
                    "KUBECONFIG=data/kubeconfig", "admin API:   127.0.0.1:7473", "explorer:    http://127.0.0.1:7474/explorer/");
            assertThat(dir.resolve("data/kubeconfig")).exists();
            assertThat(dir.resolve("data/ledger.db")).exists();

            List<String> steps = steps(ReadmeLabIT.block("Then, from a second terminal:"));
            assertThat(steps).hasSize(6);
            String env = steps.get(0);
            assertThat(env).isEqualTo("export KUBECONFIG=data/kubeconfig");

            ReadmeLabIT.Run apply = shell(dir, env + "\n" + steps.get(1));
            assertThat(apply.exitCode()).as(apply.output()).isZero();
            assertThat(apply.output()).contains("ipaddresspool.metallb.io/blue created", "service/web created");

            // the allocator decides within moments of the apply; a user typing the next command may be
            // quicker than that, and would type it again
            ReadmeLabIT.Run svc = shell(dir, env + "\n" + steps.get(2));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!svc.output().contains("192.0.2.10") && System.nanoTime() < deadline) {
                Thread.sleep(300);
                svc = shell(dir, env + "\n" + steps.get(2));
            }
            assertThat(svc.exitCode()).as(svc.output()).isZero();
            assertThat(svc.output()).as(Files.readString(log)).containsPattern("web\\s+LoadBalancer\\s+\\S+\\s+192\\.0\\.2\\.10\\s");

            ReadmeLabIT.Run describe = shell(dir, env + "\n" + steps.get(3));
            assertThat(describe.exitCode()).as(describe.output()).isZero();
            assertThat(describe.output()).contains("LoadBalancer Ingress:", "192.0.2.10", "IPAllocated");

            ReadmeLabIT.Run audit = shell(dir, env + "\n" + steps.get(4));
            assertThat(audit.exitCode()).as(audit.output()).isZero();
            assertThat(audit.output()).contains("IpAssigned", "default/web", "192.0.2.10", "blue");

            ReadmeLabIT.Run state = shell(dir, env + "\n" + steps.get(5));
            assertThat(state.exitCode()).as(state.output()).isZero();
            assertThat(state.output()).contains("default/web", "192.0.2.10", "blue");
        } finally {
            allocator.destroy();
            if (!allocator.waitFor(60, TimeUnit.SECONDS)) {
                allocator.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            System.out.println(Files.readString(log));
        }
        assertThat(allocator.exitValue()).as("exit on SIGTERM").isIn(0, 143);
    }

    /** The block's commands, a heredoc kept whole with the command that opens it. */
    private static List<String> steps(String block) {
        List<String> steps = new ArrayList<>();
        StringBuilder heredoc = null;
        String end = null;
        for (String line : block.lines().toList()) {
            if (heredoc != null) {
                heredoc.append('\n').append(line);
                if (line.strip().equals(end)) {
                    steps.add(heredoc.toString());
                    heredoc = null;
                }
                continue;
            }
            String command = line.replaceAll("\\s+#.*", "").strip();
            if (command.isEmpty()) {
                continue;
            }
            int open = command.indexOf("<<'");
            if (open >= 0) {
                end = command.substring(open + 3, command.indexOf('\'', open + 3));
                heredoc = new StringBuilder(command);
            } else {
                steps.add(command);
            }
        }
        return steps;
    }

    private static ReadmeLabIT.Run shell(Path dir, String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", script).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        String text = new String(out, StandardCharsets.UTF_8);
        System.out.println("$ " + script.lines().reduce((a, b) -> b).orElse("") + "\n" + text);
        return new ReadmeLabIT.Run(p.isAlive() ? -1 : p.exitValue(), text);
    }

    /** Waits until the allocator printed its banner up to the line starting with {@code last}. */
    private static String awaitIn(Path log, Process process, String last) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            String out = Files.readString(log);
            if (out.contains(last)) {
                return out;
            }
            assertThat(process.isAlive()).as(out).isTrue();
            Thread.sleep(200);
        }
        throw new AssertionError("no '" + last + "' within 120 s:\n" + Files.readString(log));
    }

    /** The first `code` span after {@code heading}: README names the run command inline. */
    private static String firstCodeSpanAfter(String heading) throws IOException {
        String readme = Files.readString(REPO.resolve("README.md"));
        String after = readme.substring(readme.indexOf(heading) + heading.length());
        int open = after.indexOf('`');
        return after.substring(open + 1, after.indexOf('`', open + 1));
    }

    private static boolean hasKubectl() {
        try {
            return new ProcessBuilder("kubectl", "version", "--client").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
