package io.ledgerlb.allocator.k8s.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real kubectl against a kubeconfig, with its own discovery cache. */
public final class Kubectl {
    /** {@code /usr/bin/kubectl}, or the one the environment variable LEDGERLB_KUBECTL names. */
    public static final Path BINARY = Path.of(System.getenv().getOrDefault("LEDGERLB_KUBECTL", "/usr/bin/kubectl"));

    public record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final Path kubeconfig;
    private final Path cacheDir;

    public Kubectl(Path kubeconfig, Path cacheDir) {
        this.kubeconfig = kubeconfig;
        this.cacheDir = cacheDir;
    }

    public Result withInput(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", cacheDir.toString(), "--request-timeout", "30s"));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(cacheDir, "out", ".txt");
        Path err = Files.createTempFile(cacheDir, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("HOME", cacheDir.toString());
        Process process = builder.start();
        try (var in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 90 s");
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    public Result run(String... args) throws IOException, InterruptedException {
        return withInput(null, args);
    }
}
