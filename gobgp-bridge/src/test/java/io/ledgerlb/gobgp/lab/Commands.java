package io.ledgerlb.gobgp.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Skips a test (or fails it under CI) when the Debian tools the lab needs are missing. */
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
}
