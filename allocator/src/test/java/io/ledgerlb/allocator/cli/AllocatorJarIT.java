package io.ledgerlb.allocator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded {@code ledgerlb.jar} as shipped (after {@code package}; run by failsafe) on the image's
 * jlink'd runtime: {@code run} on a fresh data dir (embedded Kafka, SQLite journal, local API) gets
 * ready, and {@code state} reads the ledger back over the admin gRPC API.
 */
class AllocatorJarIT {
    static final Path JAR = Path.of(System.getProperty("ledgerlb.jar", "target/ledgerlb.jar"));
    static final Path JAVA = Path.of(System.getProperty("ledgerlb.runtime", "target/jre"), "bin", "java");
    static final Pattern METRICS = Pattern.compile("metrics: +http://localhost:(\\d+)/metrics");
    static final Pattern ADMIN = Pattern.compile("admin API: +(127\\.0\\.0\\.1:\\d+)");

    @Test
    void runsOnTheImagesRuntime(@TempDir Path dir) throws Exception {
        Process run = new ProcessBuilder(JAVA.toString(), "-Xmx512m", "-jar", JAR.toString(), "run",
                "--data-dir=" + dir.resolve("data"), "--local", "--metrics-port=0", "--admin=127.0.0.1:0")
                .directory(dir.toFile()).redirectError(dir.resolve("stderr.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE).start();
        List<String> out = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8))) {
                lines.lines().forEach(out::add);
            } catch (IOException ended) {
                // the process ended
            }
        });
        reader.start();
        try {
            await().atMost(Duration.ofMinutes(3)).until(() -> out.stream().anyMatch(l -> l.startsWith("allocator:")) || !run.isAlive());
            assertThat(run.isAlive()).as(String.join("\n", out) + "\n" + Files.readString(dir.resolve("stderr.log"))).isTrue();
            int metricsPort = Integer.parseInt(find(METRICS, out));
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/readyz")).build();
            await().atMost(Duration.ofMinutes(2)).untilAsserted(() ->
                    assertThat(http.send(readyz, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200));

            Process state = new ProcessBuilder(JAVA.toString(), "-jar", JAR.toString(), "state", "--admin=" + find(ADMIN, out))
                    .redirectErrorStream(true).start();
            String stateOut = new String(state.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(state.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(state.exitValue()).as(stateOut).isZero();
        } finally {
            run.destroy();
            if (!run.waitFor(30, TimeUnit.SECONDS)) {
                run.destroyForcibly().waitFor();
            }
            reader.join(10_000);
        }
    }

    static String find(Pattern pattern, List<String> lines) {
        return lines.stream().map(pattern::matcher).filter(Matcher::find).map(m -> m.group(1)).findFirst()
                .orElseThrow(() -> new AssertionError("no line matching " + pattern + " in " + lines));
    }
}
