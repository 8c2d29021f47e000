package io.ledgerlb.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The JVM options the speaker ships with ({@code deploy/speaker.jvm-options}, a java argument
 * file), so that benchmarks measure the speaker as deployed. Run the benchmarks from the
 * repository root, or name the file with {@code -Dledgerlb.bench.speakerJvmOptions=FILE}.
 */
public final class SpeakerJvm {
    private SpeakerJvm() {}

    public static List<String> options() {
        Path file = Path.of(System.getProperty("ledgerlb.bench.speakerJvmOptions", "deploy/speaker.jvm-options"));
        try {
            return Files.readAllLines(file).stream()
                    .map(line -> line.replaceAll("#.*", "").trim())
                    .flatMap(line -> Arrays.stream(line.split("\\s+")))
                    .filter(option -> !option.isEmpty())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("the speaker's JVM options " + file.toAbsolutePath()
                    + " cannot be read: run from the repository root or set -Dledgerlb.bench.speakerJvmOptions", e);
        }
    }
}
