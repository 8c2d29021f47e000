package io.ledgerlb.bench.bgp;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits each sample's ledger-append-to-route time into the speaker's stages, from the speaker's
 * {@code entryTrace} log lines (wall-clock microseconds, {@code -Dledgerlb.speaker.traceEntries=true})
 * and its GC log ({@code -Xlog:gc:file=…:utctime}): commit → folded by the follower → taken by the
 * planning thread → planned (Layer 2 applied) → taken by the BGP thread → sessions told → at BIRD
 * (the native session's UPDATE build and write, BIRD, and one poll). Prints each stage's p50/p99/max
 * and, for the slowest samples, every stage and the GC pauses inside the sample.
 */
final class TailBreakdown {
    /** One sample: the IP, when the append returned and when BIRD was seen holding it (epoch µs). */
    record Sample(String ip, long appended, long atBird) {}

    private record Trace(long folded, long taken, long planned, long bgpTaken, long bgpDone) {}

    private record Pause(long start, long end, String line) {}

    private record Stage(String name, ToLongFunction<Row> micros) {}

    private record Row(Sample sample, Trace trace, long gcMicros) {
        long total() {
            return sample.atBird() - sample.appended();
        }
    }

    private static final Pattern TRACE = Pattern.compile(
            "entryTrace ip=(\\S+) folded=(\\d+) taken=(\\d+) planned=(\\d+) bgpTaken=(\\d+) bgpDone=(\\d+)");
    private static final Pattern GC = Pattern.compile("^\\[([^\\]]+)\\] GC\\(\\d+\\) Pause.* ([0-9.]+)ms$");
    private static final DateTimeFormatter GC_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

    private static final List<Stage> STAGES = List.of(
            new Stage("commit -> folded by the follower", r -> r.trace.folded - r.sample.appended()),
            new Stage("folded -> taken by the planning thread", r -> r.trace.taken - r.trace.folded),
            new Stage("taken -> planned, Layer 2 applied", r -> r.trace.planned - r.trace.taken),
            new Stage("planned -> taken by the BGP thread", r -> r.trace.bgpTaken - r.trace.planned),
            new Stage("BGP thread tells the sessions", r -> r.trace.bgpDone - r.trace.bgpTaken),
            new Stage("sessions told -> /32 at BIRD (UPDATE build+write, BIRD, poll)", r -> r.sample.atBird() - r.trace.bgpDone),
            new Stage("whole (append returned -> at BIRD)", Row::total),
            new Stage("GC pauses inside the sample", Row::gcMicros));

    private TailBreakdown() {}

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }

    static void print(List<Sample> samples, String speakerLog, String gcLog) {
        Map<String, Trace> traces = new HashMap<>();
        for (String line : speakerLog.split("\n")) {
            Matcher m = TRACE.matcher(line);
            if (m.find()) {
                traces.put(m.group(1), new Trace(Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                        Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6))));
            }
        }
        List<Pause> pauses = new ArrayList<>();
        for (String line : gcLog.split("\n")) {
            Matcher m = GC.matcher(line.trim());
            if (m.find()) {
                Instant end = OffsetDateTime.parse(m.group(1), GC_TIME).toInstant();
                long endMicros = end.getEpochSecond() * 1_000_000 + end.getNano() / 1_000;
                pauses.add(new Pause(endMicros - (long) (Double.parseDouble(m.group(2)) * 1000), endMicros, line.trim()));
            }
        }
        List<Row> rows = new ArrayList<>();
        for (Sample s : samples) {
            Trace t = traces.get(s.ip());
            if (t != null && t.bgpDone() > 0) {
                long gc = pauses.stream().mapToLong(p -> Math.max(0, Math.min(p.end(), s.atBird()) - Math.max(p.start(), s.appended()))).sum();
                rows.add(new Row(s, t, gc));
            }
        }
        System.out.printf("tail breakdown: %d of %d samples traced; speaker GC pauses in the run: %d, %.0f ms in all%n",
                rows.size(), samples.size(), pauses.size(), pauses.stream().mapToLong(p -> p.end() - p.start()).sum() / 1e3);
        pauses.stream().sorted(Comparator.comparingLong((Pause p) -> p.end() - p.start()).reversed()).limit(5)
                .forEach(p -> System.out.println("  a longest GC pause: " + p.line()));
        if (rows.isEmpty()) {
            return;
        }
        System.out.printf("  %-64s %9s %9s %9s%n", "stage (ms)", "p50", "p99", "max");
        for (Stage stage : STAGES) {
            List<Long> values = rows.stream().map(stage.micros()::applyAsLong).sorted().toList();
            System.out.printf("  %-64s %9.1f %9.1f %9.1f%n", stage.name(), pct(values, 50), pct(values, 99), pct(values, 100));
        }
        List<Row> slowest = rows.stream().sorted(Comparator.comparingLong(Row::total).reversed())
                .limit(Math.max(3, rows.size() / 50)).toList();
        System.out.println("  the slowest samples, each stage in ms (same order as above):");
        for (Row r : slowest) {
            StringBuilder line = new StringBuilder("  " + r.sample().ip() + ":");
            STAGES.forEach(stage -> line.append(String.format(" %.1f", stage.micros().applyAsLong(r) / 1e3)));
            System.out.println(line);
        }
    }

    private static double pct(List<Long> sortedMicros, int p) {
        int i = Math.max(0, Math.min(sortedMicros.size() - 1, (int) Math.ceil(p / 100.0 * sortedMicros.size()) - 1));
        return sortedMicros.get(i) / 1e3;
    }
}
