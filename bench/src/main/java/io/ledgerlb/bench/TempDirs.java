package io.ledgerlb.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The benchmarks' scratch folders. */
public final class TempDirs {
    private TempDirs() {
    }

    /** Deletes the folder and all below it, best effort: a benchmark's figures matter more than its leftovers. */
    public static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // already gone, or unreadable: nothing more to do
        }
    }
}
