package io.ledgerlb.lab.demo;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The built jars the lab runs: the allocator's ({@code ledgerlb.jar}), the speaker's
 * ({@code speaker/agent/target/ledgerlb-speaker.jar}) and this lab's own. Found in a checkout's {@code target} folders
 * (next to this jar's), or given with --allocator-jar / --speaker-jar.
 */
record LabJars(Path allocator, Path speaker, Path lab) {
    static LabJars find(Path allocator, Path speaker) throws IOException {
        Path lab = ownJar();
        Path repo = lab.toAbsolutePath().getParent().getParent().getParent();
        Path a = allocator != null ? allocator : repo.resolve("allocator/target/ledgerlb.jar");
        Path s = speaker != null ? speaker : repo.resolve("speaker/agent/target/ledgerlb-speaker.jar");
        for (Path jar : List.of(a, s)) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException(jar + " is missing: build it first (./mvnw -B -q package -DskipTests)");
            }
        }
        return new LabJars(a.toAbsolutePath(), s.toAbsolutePath(), lab.toAbsolutePath());
    }

    /** The jar (or classes folder) this class was loaded from. */
    static Path ownJar() throws IOException {
        try {
            return Path.of(LabJars.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
    }

    /** The classpath of a node: this lab (the node launcher) and the speaker jar. */
    String nodeClasspath() {
        return lab + File.pathSeparator + speaker;
    }

    /** {@code java} as the lab runs it: small, quick to start, its own stdout. */
    static List<String> java(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"));
        command.addAll(List.of(args));
        return command;
    }
}
