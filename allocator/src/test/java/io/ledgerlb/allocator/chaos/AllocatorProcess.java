package io.ledgerlb.allocator.chaos;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code ledgerlb run} in a JVM of its own on a data folder, with fixed ports (local Kubernetes
 * API, metrics, admin) kept across restarts, so that it can be killed with {@code kill -9}
 * (SIGKILL: no shutdown hook runs) and started again on the same folder.
 */
public final class AllocatorProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(4);

    private final Path dataDir;
    private final int apiPort;
    private final MetricsPort metrics;
    private final int adminPort;
    /** Where its ledger is, given to {@code run}: none for the embedded broker, or {@code --kafka-bootstrap ...}. */
    private final List<String> ledgerArguments;
    private Process process;
    private int starts;

    public AllocatorProcess(Path dataDir) throws IOException {
        this(dataDir, List.of());
    }

    public AllocatorProcess(Path dataDir, List<String> ledgerArguments) throws IOException {
        this.dataDir = dataDir;
        this.ledgerArguments = List.copyOf(ledgerArguments);
        this.apiPort = MetricsPort.free();
        this.metrics = new MetricsPort(MetricsPort.free());
        this.adminPort = MetricsPort.free();
    }

    /** Starts it (again) and waits until {@code /readyz} answers 200. */
    public AllocatorProcess start() throws IOException, InterruptedException {
        starts++;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "io.ledgerlb.allocator.cli.LedgerlbCommand", "run",
                "--data-dir", dataDir.toString(), "--local", "--local-port", String.valueOf(apiPort),
                "--metrics-port", String.valueOf(metrics.port()), "--admin", "127.0.0.1:" + adminPort,
                "--explorer-port", "-1", // not under test here; its default port may be another allocator's
                "--instance", "allocator-" + starts));
        command.addAll(ledgerArguments);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("allocator.log").toFile()));
        Files.createDirectories(dataDir);
        process = builder.start();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!ready()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the allocator exited with " + process.exitValue() + "; see "
                        + dataDir.resolve("allocator.log"));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the allocator was not ready within " + READY_TIMEOUT);
            }
            Thread.sleep(200);
        }
        return this;
    }

    /** True when {@code /readyz} answers 200. */
    public boolean ready() {
        return metrics.ready();
    }

    /** A gauge's value from {@code /metrics} (its first sample). */
    public long metric(String name) throws IOException, InterruptedException {
        return metrics.metric(name);
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL, as {@code kill -9}: nothing of the process gets to run, not its broker nor its hooks. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** A client of its local Kubernetes API, as kubectl would use it. */
    public KubernetesClient kubernetes() throws IOException {
        Config config = Config.fromKubeconfig(Files.readString(dataDir.resolve("kubeconfig")));
        // fail at once while the process is down (the callers retry): fabric8's own retries back off for
        // tens of seconds, which would only delay each restart of a chaos run
        config.setRequestRetryBackoffLimit(0);
        config.setConnectionTimeout(2_000);
        config.setRequestTimeout(10_000);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    public Path dataDir() {
        return dataDir;
    }

    public String admin() {
        return "127.0.0.1:" + adminPort;
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                kill9();
            }
        }
    }
}
