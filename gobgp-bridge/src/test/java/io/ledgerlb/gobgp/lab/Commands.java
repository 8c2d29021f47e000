package io.ledgerlb.gobgp.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs the Debian tools the lab needs, and skips a test (or fails it under CI) when they are missing. */
public final class Commands {

    private Commands() {
    }

    /** Skips unless gobgpd, gobgp, bird, birdc and ip are installed and we are root; under CI fails instead. */
    public static void requireLabTools() {
        List<String> missing = List.of("gobgpd", "gobgp", "bird", "birdc", "ip").stream().filter(t -> !installed(t)).toList();
        boolean root = "root".equals(System.getProperty("user.name"));
        String lacking = (root ? "" : "root privileges ") + (missing.isEmpty() ? "" : missing.toString());
        if (!lacking.isEmpty() && System.getenv("CI") != null) {
            throw new IllegalStateException("CI must run the GoBGP lab tests, but this machine lacks " + lacking);
        }
        assumeTrue(lacking.isEmpty(), "skipped: lacking " + lacking);
    }

    private static boolean installed(String tool) {
        return List.of("/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/").stream().anyMatch(d -> Files.isExecutable(Path.of(d + tool)));
    }

    /** Runs a command to its end and returns its output; throws with the output when it fails. */
    public static String run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + process.exitValue() + ": " + output);
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Like {@link #run} but never throws: for cleanup. */
    public static void quietly(String... command) {
        try {
            run(command);
        } catch (RuntimeException ignored) {
            // cleanup of something already gone
        }
    }
}
