package io.ledgerlb.lab.demo;

import io.ledgerlb.lab.NetnsLab;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What a running lab made, written to {@code /run/ledgerlb-lab/<id>} as it goes, so that
 * {@code ledgerlb lab down} (from another terminal, or after the lab was killed) removes exactly
 * that: it asks the lab to stop, then ends the processes and deletes the namespaces it recorded.
 */
final class LabRegistry {
    static final Path DIR = Path.of(System.getenv().getOrDefault("LEDGERLB_LAB_REGISTRY", "/run/ledgerlb-lab"));

    private LabRegistry() {}

    /** Records the lab's state now (its own pid, its folder, its namespaces and processes). */
    static void record(NetnsLab lab) throws IOException {
        Files.createDirectories(DIR);
        List<String> lines = new ArrayList<>();
        lines.add("lab " + ProcessHandle.current().pid());
        lines.add("dir " + lab.dir());
        lab.namespaces().forEach(ns -> lines.add("ns " + ns));
        lab.processes().forEach(p -> lines.add("pid " + p.pid()));
        Path file = DIR.resolve(lab.id());
        Files.write(file.resolveSibling(lab.id() + ".tmp"), lines);
        Files.move(file.resolveSibling(lab.id() + ".tmp"), file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static void forget(NetnsLab lab) {
        try {
            Files.deleteIfExists(DIR.resolve(lab.id()));
        } catch (IOException ignored) {
            // a stale record only makes `lab down` look for what is already gone
        }
    }

    /** Removes every recorded lab; returns how many there were. */
    static int down(PrintStream out) throws IOException {
        if (!Files.isDirectory(DIR)) {
            out.println("no lab is running");
            return 0;
        }
        List<Path> records;
        try (Stream<Path> files = Files.list(DIR)) {
            records = files.filter(f -> !f.getFileName().toString().endsWith(".tmp")).toList();
        }
        for (Path record : records) {
            List<String> lines = Files.readAllLines(record);
            String id = record.getFileName().toString();
            // the lab itself cleans up on SIGTERM, as on Ctrl-C
            values(lines, "lab").stream().map(Long::parseLong).map(ProcessHandle::of).flatMap(Optional::stream)
                    .filter(LabRegistry::isLab).forEach(lab -> {
                        out.println("stopping lab " + id + " (pid " + lab.pid() + ")");
                        lab.destroy();
                        lab.onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> null).join();
                    });
            // whatever a killed lab left behind: only processes whose command names the lab's folder (a pid may be reused)
            List<String> dir = values(lines, "dir");
            for (String pid : values(lines, "pid")) {
                ProcessHandle.of(Long.parseLong(pid))
                        .filter(p -> p.info().commandLine().map(c -> dir.stream().anyMatch(c::contains)).orElse(false))
                        .ifPresent(ProcessHandle::destroyForcibly);
            }
            for (String ns : values(lines, "ns")) {
                if (NetnsLab.execute(List.of("ip", "netns", "del", ns)).ok()) {
                    out.println("deleted namespace " + ns);
                }
            }
            Files.deleteIfExists(record);
            out.println("lab " + id + " removed");
        }
        if (records.isEmpty()) {
            out.println("no lab is running");
        }
        return records.size();
    }

    private static boolean isLab(ProcessHandle process) {
        return process.info().commandLine().map(c -> c.contains(LabMain.class.getPackageName()) || c.contains("netns-lab"))
                .orElse(false);
    }

    private static List<String> values(List<String> lines, String key) {
        return lines.stream().filter(l -> l.startsWith(key + " ")).map(l -> l.substring(key.length() + 1)).toList();
    }
}
