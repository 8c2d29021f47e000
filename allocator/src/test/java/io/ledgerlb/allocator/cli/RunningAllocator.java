package io.ledgerlb.allocator.cli;

import static org.awaitility.Awaitility.await;

import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.testing.LedgerFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * {@code ledgerlb run --local} on a test's ledger (the embedded broker) and data dir, in a thread,
 * until closed; its admin API and metrics port on loopback, read from what it prints.
 */
record RunningAllocator(RunCommand run, Thread thread, String admin, int metricsPort) implements AutoCloseable {
    static final Duration WAIT = Duration.ofMinutes(2);

    static RunningAllocator start(LedgerConfig config, Path dir, String... more) {
        CommandLine cli = LedgerlbCommand.commandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        RunCommand run = cli.getSubcommands().get("run").getCommand();
        List<String> args = new ArrayList<>(List.of("run", "--local", "--kafka-bootstrap",
                LedgerFixture.bootstrapServers(), "--topic", config.eventsTopic(), "--data-dir", dir.toString(),
                "--metrics-port", "0", "--metrics-bind", "127.0.0.1", "--admin", "127.0.0.1:0",
                "--signing-key", LedgerFixture.signingKeyFile().toString(),
                "--trusted-keys", LedgerFixture.trustedKeysFile().toString()));
        args.addAll(List.of(more));
        Thread running = new Thread(() -> cli.execute(args.toArray(String[]::new)), "allocator-under-test");
        running.start();
        Matcher printed = await().atMost(WAIT).until(() -> Pattern.compile("(?s)metrics: +http://127\\.0\\.0\\.1:(\\d+)/metrics.*"
                + "admin API: +(127\\.0\\.0\\.1:\\d+) +\\(ledgerlb audit\\|state\\|restore --admin").matcher(out.toString()), Matcher::find);
        return new RunningAllocator(run, running, printed.group(2), Integer.parseInt(printed.group(1)));
    }

    /** A GET on the metrics port ({@code /metrics}, {@code /healthz}, {@code /readyz}). */
    HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws InterruptedException {
        run.stop();
        thread.join(30_000);
    }
}
