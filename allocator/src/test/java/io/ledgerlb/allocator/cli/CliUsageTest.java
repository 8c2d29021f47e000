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
class CliUsageTest {

    record Result(int exit, String out, String err) {}

    static Result run(String... args) {
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
}
