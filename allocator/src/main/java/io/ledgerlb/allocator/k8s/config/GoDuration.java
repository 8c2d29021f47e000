package io.ledgerlb.allocator.k8s.config;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kubernetes' {@code metav1.Duration} text, as Go writes it: {@code 90s}, {@code 1m30s}, {@code 1.5h}, {@code 0s}. */
final class GoDuration {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
    private static final Map<String, Long> NANOS_PER_UNIT = Map.of(
            "ns", 1L, "us", 1_000L, "µs", 1_000L, "ms", 1_000_000L,
            "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    private GoDuration() {
    }

    static Duration parse(String text) {
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher part = PART.matcher(text);
        double nanos = 0;
        int end = 0;
        while (part.find() && part.start() == end) {
            nanos += Double.parseDouble(part.group(1)) * NANOS_PER_UNIT.get(part.group(2));
            end = part.end();
        }
        if (end == 0 || end != text.length()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration (write e.g. 90s or 1m30s)");
        }
        return Duration.ofNanos(Math.round(nanos));
    }
}
