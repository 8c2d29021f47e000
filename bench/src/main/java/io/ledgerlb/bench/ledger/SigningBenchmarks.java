package io.ledgerlb.bench.ledger;

import static io.ledgerlb.bench.ledger.LedgerBenchmarks.createTopicWith;
import static io.ledgerlb.bench.ledger.LedgerBenchmarks.rate;
import static io.ledgerlb.bench.ledger.LedgerBenchmarks.rawConsume;
import static io.ledgerlb.bench.ledger.LedgerBenchmarks.rawProduce;
import static io.ledgerlb.bench.ledger.LedgerBenchmarks.report;

import io.ledgerlb.bench.TempDirs;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.Progress;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.kafka.EmbeddedKafka;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.kafka.KafkaLedgerWriter;
import io.ledgerlb.ledger.sign.SigningKey;
import io.ledgerlb.ledger.sign.TrustedKeys;
import io.ledgerlb.ledger.state.LedgerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What signing the ledger costs, each next to a reference measured in the same run:
 * <ul>
 *   <li>append with signed heads (one Ed25519 signature per transaction) vs the same writer
 *       unsigned vs a raw idempotent producer of the same bytes, at 1,000 events per transaction
 *       and at 1 (the allocator's quiet-time case, where every entry is a head);</li>
 *   <li>replay into state checking the signed heads vs not checking signatures vs a raw
 *       consumer (goal: ≥ 0.5× the raw consumer), and replay of the single-event transactions (every
 *       entry a signed head: one Ed25519 check per entry);</li>
 *   <li>Ed25519 sign and verify alone, per entry: what signing (and verifying) every entry would
 *       cost instead of one signature per transaction.</li>
 * </ul>
 * Run: {@code java -cp bench/target/benchmarks.jar io.ledgerlb.bench.ledger.SigningBenchmarks [events] [single-event transactions] [replay]}
 * — with {@code replay} as third argument, only the replay figures (one signed append to replay; for a profile of replay alone).
 */
public final class SigningBenchmarks {
    private static final int BATCH = 1_000;
    private static final int ROUNDS = 3;
    private static final int REPLAY_ROUNDS = Integer.getInteger("rounds", 40);

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int singles = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        Path dir = Files.createTempDirectory("ledgerlb-bench-signing-");
        SigningKey key = SigningKey.generate();
        try (EmbeddedKafka broker = EmbeddedKafka.start(dir.resolve("kafka"))) {
            String bootstrap = broker.bootstrapServers();
            List<Event> bodies = LedgerBenchmarks.churn(events, events / 2);

            if (args.length > 2 && args[2].equals("replay")) {
                LedgerConfig withKey = LedgerConfig.external(bootstrap, Map.of()).withTopics("s0.events", "s0.snapshots")
                        .withSigningKey(key);
                List<LedgerEntry> all = new ArrayList<>();
                append(withKey, bodies, BATCH, all);
                createTopicWith(bootstrap, "raw0");
                rawProduce(bootstrap, "raw0", all.stream().map(LedgerEntry::encode).toList());
                replay(bootstrap, key, bodies.size());
                return;
            }
            double signed = 0;
            double unsigned = 0;
            double raw = 0;
            List<LedgerEntry> sealed = null;
            for (int r = 0; r < ROUNDS; r++) {
                LedgerConfig plain = LedgerConfig.external(bootstrap, Map.of()).withTopics("u" + r + ".events", "u" + r + ".snapshots");
                unsigned = Math.max(unsigned, append(plain, bodies, BATCH));
                LedgerConfig withKey = plain.withTopics("s" + r + ".events", "s" + r + ".snapshots").withSigningKey(key);
                List<LedgerEntry> all = new ArrayList<>();
                signed = Math.max(signed, append(withKey, bodies, BATCH, all));
                sealed = all;
                createTopicWith(bootstrap, "raw" + r);
                raw = Math.max(raw, rawProduce(bootstrap, "raw" + r, sealed.stream().map(LedgerEntry::encode).toList()));
            }
            report("append signed, one transaction (and signature) per " + BATCH + " events, vs raw idempotent producer", signed, raw);
            report("append unsigned, same batches, vs raw idempotent producer", unsigned, raw);
            report("append signed vs unsigned, " + BATCH + " per transaction", signed, unsigned);

            List<Event> few = bodies.subList(0, singles);
            double unsignedOne = 0;
            double signedOne = 0;
            for (int r = 0; r < ROUNDS; r++) { // interleaved, best of rounds: the first round also warms up
                LedgerConfig plainSingles = LedgerConfig.external(bootstrap, Map.of()).withTopics("u1x" + r + ".events", "u1x" + r + ".snapshots");
                unsignedOne = Math.max(unsignedOne, append(plainSingles, few, 1));
                signedOne = Math.max(signedOne, append(plainSingles.withTopics("s1x" + r + ".events", "s1x" + r + ".snapshots")
                        .withSigningKey(key), few, 1));
            }
            report("append signed vs unsigned, one event per transaction (every entry a signed head)", signedOne, unsignedOne);

            double consume = replay(bootstrap, key, bodies.size());

            // the allocator's quiet-time case: one change per transaction, so every entry is a signed head
            double singleHeads = 0;
            try (KafkaLedger withKeys = KafkaLedger.open(LedgerConfig.external(bootstrap, Map.of())
                    .withTopics("s1x0.events", "s1x0.snapshots").withTrustedKeys(TrustedKeys.of(key.publicKey())))) {
                for (int r = 0; r < ROUNDS; r++) {
                    long t0 = System.nanoTime();
                    LedgerState state = withKeys.stateAt(few.size(), Progress.NONE);
                    singleHeads = Math.max(singleHeads, rate(state.sequence(), t0));
                }
            }
            report("replay checking signed heads, one event per transaction (every entry a head) vs raw consumer",
                    singleHeads, consume);

            // the cryptography alone: what one signature (and its check) per entry would cost
            byte[] hash = sealed.get(0).hash();
            TrustedKeys keys = TrustedKeys.of(key.publicKey());
            double signRate = 0;
            double verifyRate = 0;
            for (int r = 0; r < ROUNDS; r++) {
                long t0 = System.nanoTime();
                byte[] signature = null;
                for (int i = 0; i < 2_000; i++) {
                    signature = key.sign(hash);
                }
                signRate = Math.max(signRate, rate(2_000, t0));
                t0 = System.nanoTime();
                for (int i = 0; i < 2_000; i++) {
                    if (!keys.verify(key.keyId(), hash, signature)) {
                        throw new IllegalStateException("a signature did not verify");
                    }
                }
                verifyRate = Math.max(verifyRate, rate(2_000, t0));
            }
            report("Ed25519 signatures alone (signing every entry would cap append here) vs raw producer", signRate, raw);
            report("Ed25519 verifications alone (checking every entry would cap replay here) vs raw consumer", verifyRate, consume);
            System.out.printf(Locale.ROOT, "RESULT Ed25519 on this JVM (%s): sign %.0f us, verify %.0f us per signature%n",
                    System.getProperty("java.version"), 1e6 / signRate, 1e6 / verifyRate);
        } finally {
            TempDirs.delete(dir);
        }
    }

    /** Replays the signed ledger "s0.events" checking signatures and not, against a raw consumer of "raw0"; returns the raw consumer's best rate. */
    private static double replay(String bootstrap, SigningKey key, int events) throws Exception {
        double checked = 0;
        double unchecked = 0;
        double consume = 0;
        LedgerConfig signedLedger = LedgerConfig.external(bootstrap, Map.of()).withTopics("s0.events", "s0.snapshots")
                .withTrustedKeys(TrustedKeys.of(key.publicKey()));
        LedgerConfig notChecking = signedLedger.withTrustedKeys(TrustedKeys.UNCHECKED);
        // CPU time of the whole process (broker included) per replay: what the machine's load does not change
        long checkedCpu = Long.MAX_VALUE;
        long consumeCpu = Long.MAX_VALUE;
        // the rounds' rates, for medians of the second half: the JIT compiles the broker's and the
        // clients' code for many rounds, and its thread takes CPU from both sides meanwhile
        List<Double> checkedRates = new ArrayList<>();
        List<Double> consumeRates = new ArrayList<>();
        try (KafkaLedger withKeys = KafkaLedger.open(signedLedger); KafkaLedger without = KafkaLedger.open(notChecking)) {
            for (int r = 0; r < REPLAY_ROUNDS; r++) {
                CpuSplit before = CpuSplit.now();
                long t0 = System.nanoTime();
                LedgerState state = withKeys.stateAt(events, Progress.NONE);
                double roundRate = rate(state.sequence(), t0);
                CpuSplit used = CpuSplit.now().minus(before);
                checked = Math.max(checked, roundRate);
                checkedRates.add(roundRate);
                checkedCpu = Math.min(checkedCpu, used.process());
                System.out.printf(Locale.ROOT, "round %d (JVM time %.3f s): checking signed heads %.0f/s (%.2f us per entry); CPU per entry, us: %s%n",
                        r, java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3, roundRate, 1e6 / roundRate, used.perEntry(events));
                t0 = System.nanoTime();
                state = without.stateAt(events, Progress.NONE);
                unchecked = Math.max(unchecked, rate(state.sequence(), t0));
                long cpu0 = processCpuNanos();
                double consumeRate = rawConsume(bootstrap, "raw0", events);
                consume = Math.max(consume, consumeRate);
                consumeRates.add(consumeRate);
                consumeCpu = Math.min(consumeCpu, processCpuNanos() - cpu0);
            }
        }
        System.out.printf(Locale.ROOT, "RESULT CPU per replayed entry (process, least of rounds): checking signed heads %.2f us,"
                + " raw consumer %.2f us, ratio %.2f%n", checkedCpu / 1e3 / events, consumeCpu / 1e3 / events,
                (double) consumeCpu / checkedCpu);
        report("replay into state checking signed heads (decode, hashes, links, signatures, fold) vs raw consumer (goal >= 0.5)",
                checked, consume);
        report("replay into state checking signed heads vs raw consumer, medians of the last " + (REPLAY_ROUNDS - REPLAY_ROUNDS / 2)
                + " rounds", medianOfSecondHalf(checkedRates), medianOfSecondHalf(consumeRates));
        report("replay into state not checking signatures vs raw consumer", unchecked, consume);
        report("replay checking signatures vs not", checked, unchecked);
        return consume;
    }

    private static double medianOfSecondHalf(List<Double> rates) {
        List<Double> late = new ArrayList<>(rates.subList(rates.size() / 2, rates.size()));
        late.sort(null);
        return late.get(late.size() / 2);
    }

    /**
     * Where a replay's CPU goes, per round: the whole process; the reader (main); the fetching
     * thread (sampled every millisecond, since it ends with its replay); the other Java threads
     * (the broker's; not the sampler's); the rest, which is the collectors' and the JIT compiler's threads. Besides:
     * the collectors' pauses (wall time) and the JIT's compiling time.
     */
    private record CpuSplit(long process, long main, long fetching, long others, long gcPauses, long jit) {
        private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
        /** The CPU time of each fetching thread, as last sampled (they end with their replay, and their time with them). */
        private static final Map<Long, Long> FETCHING = new java.util.concurrent.ConcurrentHashMap<>();

        /** The sampling thread: its own CPU is the benchmark's, not the broker's. */
        private static final Thread SAMPLER = new Thread(CpuSplit::sampleFetchingThreads, "fetching-thread-sampler");

        static {
            SAMPLER.setDaemon(true);
            SAMPLER.start();
        }

        /**
         * Every millisecond, the CPU time of each fetching thread. A thread's name is looked up once,
         * when its id first shows (ids are never reused): looking every name up each time cost the
         * cores the replay was measured on.
         */
        private static void sampleFetchingThreads() {
            Set<Long> seen = new HashSet<>();
            while (!Thread.currentThread().isInterrupted()) {
                for (long id : THREADS.getAllThreadIds()) {
                    if (seen.add(id)) {
                        java.lang.management.ThreadInfo info = THREADS.getThreadInfo(id);
                        if (info != null && info.getThreadName().startsWith("ledger-read-ahead-")) {
                            FETCHING.put(id, 0L);
                        }
                    }
                    if (FETCHING.containsKey(id)) {
                        FETCHING.merge(id, THREADS.getThreadCpuTime(id), Math::max); // -1 once it has ended
                    }
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        static CpuSplit now() {
            long mainThread = Thread.currentThread().getId();
            long others = 0;
            for (long id : THREADS.getAllThreadIds()) {
                long cpu = id == mainThread || id == SAMPLER.getId() || FETCHING.containsKey(id) ? 0 : THREADS.getThreadCpuTime(id);
                others += Math.max(0, cpu);
            }
            long gc = 0;
            for (var collector : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                gc += collector.getCollectionTime() * 1_000_000L;
            }
            long fetching = FETCHING.values().stream().mapToLong(Long::longValue).sum();
            long jit = java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime() * 1_000_000L;
            return new CpuSplit(processCpuNanos(), THREADS.getCurrentThreadCpuTime(), fetching, others, gc, jit);
        }

        CpuSplit minus(CpuSplit o) {
            return new CpuSplit(process - o.process, main - o.main, fetching - o.fetching, others - o.others, gcPauses - o.gcPauses,
                    jit - o.jit);
        }

        String perEntry(int events) {
            double n = events * 1e3;
            return String.format(Locale.ROOT, "process %.2f, reader %.2f, fetching %.2f (sampled), other threads %.2f, rest (collectors, JIT) %.2f; collector pauses %.2f (wall); JIT compiling %.2f",
                    process / n, main / n, fetching / n, others / n, (process - main - fetching - others) / n, gcPauses / n, jit / n);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double append(LedgerConfig config, List<Event> bodies, int batch) throws Exception {
        return append(config, bodies, batch, new ArrayList<>());
    }

    private static double append(LedgerConfig config, List<Event> bodies, int batch, List<LedgerEntry> written)
            throws Exception {
        try (KafkaLedger l = KafkaLedger.open(config); KafkaLedgerWriter writer = l.openWriter("bench")) {
            long t0 = System.nanoTime();
            for (int i = 0; i < bodies.size(); i += batch) {
                written.addAll(writer.append(bodies.subList(i, Math.min(bodies.size(), i + batch))));
            }
            return rate(bodies.size(), t0);
        }
    }
}
