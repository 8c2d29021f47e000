package io.ledgerlb.allocator.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ledgerlb.lab.NetnsLab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The project's end-to-end smoke test: README's first command, as README writes it (after the
 * build it starts with, which the Maven run doing this test has just done), runs the lab — the
 * article's two demos on real ARP, a real FRR and the real jars — and its output shows what the
 * article shows. As root, after {@code package} (it runs the jars).
 */
class ReadmeLabIT {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern EXTERNAL_IP = Pattern.compile("^\\s+nginx\\s+LoadBalancer\\s+\\S+\\s+(\\S+)\\s", Pattern.MULTILINE);
    private static final Pattern ARP_REPLY = Pattern.compile("Unicast reply from (\\S+) \\[([0-9A-Fa-f:]{17})\\]");
    private static final Pattern SERVED_BY = Pattern.compile("served by (node\\d)");
    private static final Pattern NEXT_HOPS = Pattern.compile("next hops: \\[([^]]*)\\]");
    private static final Pattern LAB_ID = Pattern.compile("namespaces (llb-[0-9a-f]{6})-");

    @Test
    void readmesFirstCommandPlaysTheArticle() throws Exception {
        assumeTrue(NetnsLab.available(), "needs root and iproute2");
        String command = labCommand();
        assertThat(command).isEqualTo("java -jar allocator/target/ledgerlb.jar lab");

        Run run = run(command, 300);
        String out = run.output();
        assertThat(run.exitCode()).as(out).isZero();

        // the Service's EXTERNAL-IP, from the article's pool
        Matcher external = EXTERNAL_IP.matcher(out);
        assertThat(external.find()).as(out).isTrue();
        String ip = external.group(1);
        int last = Integer.parseInt(ip.substring(ip.lastIndexOf('.') + 1));
        assertThat(ip).startsWith("10.99.143.");
        assertThat(last).isBetween(230, 250);

        // Layer 2: the ARP reply names a node's MAC, and that node's speaker logged the article's line for the client
        Matcher arp = ARP_REPLY.matcher(out);
        assertThat(arp.find()).as(out).isTrue();
        assertThat(arp.group(1)).isEqualTo(ip);
        String mac = arp.group(2).toLowerCase();
        String logLine = out.lines().filter(l -> l.contains("\"msg\":\"got ARP request for service IP, sending response\""))
                .findFirst().orElseThrow();
        assertThat(logLine).contains("\"ip\":\"" + ip + "\"", "\"responseMAC\":\"" + mac + "\"", "\"senderIP\":\"10.99.143.1\"");

        // HTTP answered by the owner, then by another node once the owner was killed
        List<String> servedBy = all(SERVED_BY, section(out, "HTTP from the client", "importing the article's bgp"));
        assertThat(servedBy).as(out).hasSizeGreaterThanOrEqualTo(2);
        assertThat(servedBy.get(1)).isNotEqualTo(servedBy.get(0));
        assertThat(out).containsPattern("failover: " + servedBy.get(1) + " answered [0-9.]+ s after " + servedBy.get(0) + " was killed");

        // BGP: FRR holds the IP with one next hop per node, then one fewer
        assertThat(out).contains("vtysh -c 'show ip route bgp'");
        List<String> hops = all(NEXT_HOPS, section(out, "importing the article's bgp", "the ledger's history"));
        assertThat(hops).as(out).hasSize(2);
        assertThat(hops.get(0).split(", ")).containsExactlyInAnyOrder("10.99.121.11", "10.99.121.12", "10.99.121.13");
        assertThat(hops.get(1).split(", ")).hasSize(2).doesNotContain("10.99.121.11");
        assertThat(section(out, "importing the article's bgp", "the ledger's history")).contains("B>* " + ip + "/32");

        // the ledger's history of the IP
        String audit = section(out, "$ ledgerlb audit --ip " + ip, "the article's two demos, done");
        assertThat(audit).contains("IpAssigned", "default/nginx", ip, "my-ip-space");

        // and nothing is left: the lab's namespaces are gone
        Matcher id = LAB_ID.matcher(out);
        assertThat(id.find()).isTrue();
        assertThat(NetnsLab.run("ip", "netns", "list")).doesNotContain(id.group(1));
    }

    @Test
    void readmesKeptLabAnswersTheCommandsItPrintsAndGoesWithLabDown() throws Exception {
        assumeTrue(NetnsLab.available(), "needs root and iproute2");
        List<String> tryNext = commands(block("What to try next:"));
        assertThat(tryNext).hasSize(2);
        String keep = tryNext.get(0);
        assertThat(keep).startsWith("java -jar allocator/target/ledgerlb.jar lab ").endsWith(" --keep");
        assertThat(tryNext.get(1)).isEqualTo("java -jar allocator/target/ledgerlb.jar lab down");

        Path log = Files.createTempFile("lab-keep", ".txt");
        Process lab = new ProcessBuilder("bash", "-c", keep).directory(REPO.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (!Files.readString(log).contains("The lab keeps running") && lab.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            String out = Files.readString(log);
            System.out.println(out);
            assertThat(out).as(out).contains("The lab keeps running");
            Matcher external = EXTERNAL_IP.matcher(out);
            assertThat(external.find()).isTrue();
            String ip = external.group(1);

            // every command it prints works, from this machine's shell
            String printed = out.substring(out.indexOf("The lab keeps running"));
            List<String> hints = printed.lines().filter(l -> l.startsWith("  ")).map(String::strip).toList();
            String kubeconfig = hints.stream().filter(h -> h.startsWith("export KUBECONFIG=")).findFirst().orElseThrow();
            assertThat(hints).anyMatch(h -> h.contains(" curl http://" + ip + "/")).anyMatch(h -> h.contains("birdc"));
            for (String hint : hints.stream().filter(h -> !h.startsWith("export ") && !h.startsWith("logs")).toList()) {
                Run shown = run(kubeconfig + "; " + hint, 60);
                assertThat(shown.exitCode()).as(hint + "\n" + shown.output()).isZero();
                if (hint.contains("curl")) {
                    assertThat(shown.output()).containsPattern("served by node[23]");
                }
                if (hint.startsWith("kubectl get svc nginx")) {
                    assertThat(shown.output()).contains(ip, "bgppeer");
                }
                if (hint.contains("birdc")) {
                    assertThat(shown.output()).contains(ip + "/32", "via 10.99.121.12", "via 10.99.121.13")
                            .doesNotContain("via 10.99.121.11");
                }
                if (hint.contains(" audit ")) {
                    assertThat(shown.output()).contains("IpAssigned", "default/nginx");
                }
            }

            // `lab down` from another shell removes it: the kept lab ends, its namespaces go
            Matcher id = LAB_ID.matcher(out);
            assertThat(id.find()).isTrue();
            assertThat(NetnsLab.run("ip", "netns", "list")).contains(id.group(1));
            Run down = run(tryNext.get(1), 120);
            assertThat(down.exitCode()).as(down.output()).isZero();
            assertThat(down.output()).contains("lab " + id.group(1).substring(4) + " removed");
            assertThat(lab.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(NetnsLab.run("ip", "netns", "list")).doesNotContain(id.group(1));
        } finally {
            lab.destroy();
            lab.waitFor(60, TimeUnit.SECONDS);
            Files.deleteIfExists(log);
        }
    }

    /** The fenced sh block that follows {@code heading} in README. */
    static String block(String heading) throws IOException {
        String readme = Files.readString(REPO.resolve("README.md"));
        String after = readme.substring(readme.indexOf(heading));
        after = after.substring(after.indexOf("```sh\n") + 6);
        return after.substring(0, after.indexOf("```"));
    }

    /** A block's commands: its lines without comments. */
    static List<String> commands(String block) {
        return block.lines().map(l -> l.replaceAll("#.*", "").strip()).filter(l -> !l.isEmpty()).toList();
    }

    /** The lab command of README's first fenced block (which builds first: `... && java -jar ... lab`). */
    static String labCommand() throws IOException {
        String line = commands(block("## Two commands")).stream().filter(l -> l.contains(" lab")).findFirst().orElseThrow();
        String[] parts = line.split("&&");
        return parts[parts.length - 1].strip();
    }

    record Run(int exitCode, String output) {}

    /** Runs a README command from the repository's root, as a user would paste it. */
    static Run run(String command, int seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", command).directory(REPO.toFile()).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the process went away
            }
        });
        reader.start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroy();
            p.waitFor(60, TimeUnit.SECONDS);
        }
        reader.join(10_000);
        System.out.println(out);
        return new Run(p.isAlive() ? -1 : p.exitValue(), out.toString());
    }

    private static String section(String out, String from, String to) {
        int start = out.indexOf(from);
        int end = out.indexOf(to, Math.max(start, 0));
        assertThat(start).as("'" + from + "' in the output").isNotNegative();
        return out.substring(start, end < 0 ? out.length() : end);
    }

    private static List<String> all(Pattern pattern, String text) {
        List<String> found = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }
}
