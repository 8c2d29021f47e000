package io.ledgerlb.allocator.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ledgerlb-speaker} ({@code SpeakerMain}) in a JVM of its own following the chaos run's
 * ledger: no Kubernetes (it is the one node), membership alone on loopback, and no interface at
 * all ({@code --exclude-interface .*}), so it plans and "announces" (its {@code metallb_speaker_announced}
 * series) without a frame leaving the process. What it would announce is its view of the ledger.
 */
final class SpeakerProcess implements AutoCloseable {
    static final String NODE = "chaos-speaker";
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    /** One series of {@code metallb_speaker_announced}: its IP and Service labels. */
    private static final Pattern ANNOUNCED = Pattern.compile(
            "^metallb_speaker_announced\\{(?=.*\\bip=\"([^\"]+)\")(?=.*\\bservice=\"([^\"]+)\").*} 1(\\.0)?$");

    private final Path log;
    private final List<String> arguments;
    private final MetricsPort metrics;
    private Process process;
    private boolean paused;

    /**
     * @param kafkaSettings e.g. {@code --kafka-properties-file FILE}: how it authenticates to Kafka
     * @param staleAfter its {@code --ledger-stale-after-ms}: the bound for {@code /readyz} to turn
     *                   false while Kafka does not answer
     */
    SpeakerProcess(Path dir, String bootstrapServers, List<String> kafkaSettings, Path trustedKeys, Duration staleAfter)
            throws IOException {
        Files.createDirectories(dir);
        this.log = dir.resolve("speaker.log");
        this.metrics = new MetricsPort(MetricsPort.free());
        this.arguments = new java.util.ArrayList<>(kafkaSettings);
        this.arguments.addAll(List.of("--node-name", NODE, "--kafka-bootstrap", bootstrapServers,
                "--trusted-keys", trustedKeys.toString(), "--no-kubernetes", "--exclude-interface", ".*",
                "--members-bind", "127.0.0.1:" + MetricsPort.free(), "--insecure-membership",
                "--metrics-bind", "127.0.0.1", "--metrics-port", String.valueOf(metrics.port()),
                "--ledger-stale-after-ms", String.valueOf(staleAfter.toMillis())));
    }

    /** Starts it and waits until {@code /readyz} answers 200 (the ledger folded to its end). */
    SpeakerProcess start() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx192m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "io.ledgerlb.speaker.SpeakerMain"));
        command.addAll(arguments);
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!ready()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the speaker exited with " + process.exitValue() + "; see " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the speaker was not ready within " + READY_TIMEOUT + "; see " + log);
            }
            Thread.sleep(200);
        }
        return this;
    }

    boolean ready() {
        return metrics.ready();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** The last ledger sequence its follower folded. */
    long foldedSequence() throws IOException, InterruptedException {
        return metrics.metric("ledgerlb_speaker_ledger_sequence");
    }

    /** What it announces now: Service ({@code namespace/name}) to IP, from {@code metallb_speaker_announced}. */
    Map<String, String> announced() throws IOException, InterruptedException {
        Map<String, String> ips = new HashMap<>();
        for (String line : metrics.scrape().lines().toList()) {
            Matcher m = ANNOUNCED.matcher(line);
            if (m.matches()) {
                ips.put(m.group(2), m.group(1));
            }
        }
        return ips;
    }

    /** The CPU time its process used so far (0 when the system does not say). */
    double cpuSeconds() {
        return process == null ? 0 : process.info().totalCpuDuration().map(d -> d.toMillis() / 1e3).orElse(0.0);
    }

    Path log() {
        return log;
    }

    /** SIGSTOP: the process stands still (its follower, its checks, its HTTP server) until {@link #resume}. */
    void pause() throws IOException, InterruptedException {
        signal("STOP");
        paused = true;
    }

    /** SIGCONT. */
    void resume() throws IOException, InterruptedException {
        signal("CONT");
        paused = false;
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** SIGTERM (its handover, then a bounded close), SIGKILL if it is still there after 30 s. */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            if (paused) {
                process.destroyForcibly(); // a stopped process would hold its SIGTERM until continued
                process.waitFor();
                return;
            }
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
    }
}
