package io.ledgerlb.allocator.cli;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code ledgerlb lab}: hands over to the lab jar that netns-lab builds (the lab is not in this
 * jar: nothing of it ships in a product image), found beside this jar in a checkout
 * ({@code netns-lab/target/}) or at {@code $LEDGERLB_LAB_JAR}.
 */
@Command(name = "lab", description = "MetalLB's introduction on real daemons in network namespaces (as root, from a "
        + "checkout): three nodes with speakers, a client, a router. `lab --help` for its options, `lab down` removes it.")
final class LabCommand implements Callable<Integer> {
    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path self = ownJar();
        Path labJar = Optional.ofNullable(System.getenv("LEDGERLB_LAB_JAR")).map(Path::of).orElseGet(() -> beside(self));
        if (labJar == null || !Files.isRegularFile(labJar)) {
            throw new ConfigException("the lab jar is missing (netns-lab/target/netns-lab-*.jar next to allocator/target/): "
                    + "build the checkout with ./mvnw -B -q package -DskipTests, or set LEDGERLB_LAB_JAR");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", labJar.toString()));
        command.addAll(args);
        if (!args.contains("down") && Files.isRegularFile(self)) {
            command.add("--allocator-jar=" + self);
        }
        Process lab = new ProcessBuilder(command).inheritIO().start();
        // Ctrl-C reaches both processes; a SIGTERM to this one is passed on. Either way, wait for the lab's cleanup.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            lab.destroy();
            try {
                lab.waitFor(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "lab-wait"));
        return lab.waitFor();
    }

    private static Path ownJar() {
        try {
            return Path.of(LabCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code <checkout>/netns-lab/target/netns-lab-<version>.jar} for {@code <checkout>/allocator/target/ledgerlb.jar}. */
    private static Path beside(Path allocatorJar) {
        Path target = allocatorJar.toAbsolutePath().getParent().getParent().getParent().resolve("netns-lab/target");
        if (!Files.isDirectory(target)) {
            return null;
        }
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "netns-lab-*.jar")) {
            for (Path jar : jars) {
                String name = jar.getFileName().toString();
                if (!name.endsWith("-sources.jar") && !name.endsWith("-tests.jar")) {
                    return jar;
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }
}
