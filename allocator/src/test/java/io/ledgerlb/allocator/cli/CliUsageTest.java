package io.ledgerlb.allocator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Usage of the CLI: help everywhere, and a plan that refuses what it cannot read. */
public class CliUsageTest {

    /** What a command printed and how it exited. */
    public record Result(int exit, String out, String err) {}

    /** The real CLI entry point, in this JVM. */
    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = LedgerlbCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void everySubcommandPrintsItsHelp() {
        List<List<String>> commands = new ArrayList<>();
        collect(LedgerlbCommand.commandLine(), new ArrayList<>(), commands);
        assertThat(commands).hasSizeGreaterThan(8);
        for (List<String> command : commands) {
            List<String> args = new ArrayList<>(command);
            args.add("--help");
            Result r = run(args.toArray(String[]::new));
            assertThat(r.exit()).as("%s --help: %s", command, r.err()).isZero();
            assertThat(r.out()).as("%s --help", command).contains("Usage: ledgerlb").contains("--help");
            assertThat(r.err()).as("%s --help", command).doesNotContain("Unknown option");
        }
    }

    private static void collect(CommandLine cli, List<String> path, List<List<String>> into) {
        for (var sub : cli.getSubcommands().entrySet()) {
            List<String> next = new ArrayList<>(path);
            next.add(sub.getKey());
            into.add(next);
            collect(sub.getValue(), next, into);
        }
    }

    @Test
    void planRejectsADocumentKindItDoesNotUnderstand(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("mixed.yaml"), """
                apiVersion: metallb.io/v1beta1
                kind: IPAddressPool
                metadata: {name: blue, namespace: metallb-system}
                spec: {addresses: [192.0.2.10/31]}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: shop}
                """);
        Result r = run("plan", "-f", file.toString());
        assertThat(r.exit()).isEqualTo(LedgerlbCommand.USAGE);
        assertThat(r.err()).contains("Deployment/web").contains("MetalLB kinds, Namespaces and Services");
        assertThat(r.out()).doesNotContain("IPAddressPool/blue");
    }

    @Test
    void runTakesTheAdminAddressAsTheToolsDo() {
        // checked before anything starts, so these fail at once without a ledger
        Result beyondLoopback = run("run", "--admin", "192.0.2.1:7473");
        assertThat(beyondLoopback.exit()).isEqualTo(LedgerlbCommand.USAGE);
        assertThat(beyondLoopback.err()).contains("--admin 192.0.2.1:7473").contains("loopback only");
        Result noPort = run("run", "--admin", "127.0.0.1");
        assertThat(noPort.exit()).isEqualTo(LedgerlbCommand.USAGE);
        assertThat(noPort.err()).contains("expected HOST:PORT");
        Result both = run("run", "--admin", "127.0.0.1:0", "--admin-port", "0");
        assertThat(both.exit()).isEqualTo(LedgerlbCommand.USAGE);
        assertThat(both.err()).contains("pass --admin HOST:PORT only");
        // the tools spell it the same way, and their help says so
        assertThat(run("audit", "--help").out()).contains("--admin=HOST:PORT");
        assertThat(run("run", "--help").out()).contains("--admin=HOST:PORT").doesNotContain("--admin-port");
    }

    @Test
    void theOldAdminPortSpellingStillWorksWithAWarning(@TempDir Path dir) throws Exception {
        // a data dir that is a file stops run right after the options were read: the warning came first
        Path notADir = Files.writeString(dir.resolve("not-a-dir"), "");
        Result old = run("run", "--admin-port", "0", "--data-dir", notADir.toString());
        assertThat(old.err()).contains("--admin-port is deprecated; use --admin 127.0.0.1:0");
        assertThat(old.exit()).isNotZero();
        assertThat(old.err()).contains("not-a-dir");
    }

    @Test
    void aRefusedRowListsNoIpTheServiceNoLongerHolds(@TempDir Path dir) throws Exception {
        Path pools = Files.writeString(dir.resolve("pools.yaml"), """
                apiVersion: metallb.io/v1beta1
                kind: IPAddressPool
                metadata: {name: blue, namespace: metallb-system}
                spec: {addresses: [192.0.2.10/31]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec: {type: LoadBalancer}
                """);
        // the same Service changed: it now asks for an IP no pool holds
        Path changed = Files.writeString(dir.resolve("changed.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop, annotations: {metallb.io/loadBalancerIPs: 198.51.100.1}}
                spec: {type: LoadBalancer}
                """);
        Result r = run("plan", "-f", pools.toString(), "-f", changed.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isEqualTo(LedgerlbCommand.FAILURE_FOUND);
        var rows = EventFormat.JSON.readTree(r.out());
        assertThat(rows).hasSize(3);
        assertThat(rows.get(1).get("ips").toString()).contains("192.0.2.10");
        assertThat(rows.get(2).get("result").asText()).startsWith("REFUSED");
        assertThat(rows.get(2).get("ips")).isEmpty(); // it gave 192.0.2.10 up when refused
        assertThat(rows.get(2).get("pool").asText()).isEmpty();
    }
}
