package io.ledgerlb.speaker.members;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What sealing membership costs, against the same protocol unsealed, in one run: the work per
 * datagram (encode, seal, open, replay check, decode; a heartbeat and a 50-member table), and the
 * failure-detection time (three speakers on loopback, one closed without a goodbye, until both
 * others have dropped it), rounds alternating keyed and unkeyed. In this package because the
 * codec and the seal are the speaker's internals.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.ledgerlb.speaker.members.MembershipBench [rounds=20]</pre>
 */
public final class MembershipBench {
    private MembershipBench() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        GossipKeys keys = new GossipKeys(List.of(key));

        System.out.println("## per datagram (ns)");
        for (int members : new int[] {1, 50}) {
            List<MemberState> table = new ArrayList<>();
            for (int i = 0; i < members; i++) {
                table.add(new MemberState("node-" + i, new InetSocketAddress("10.99.0." + (i + 1), 7946),
                        System.currentTimeMillis(), 1000 + i, false));
            }
            double plain = perDatagram(table, null, 200_000, 1_000_000 / members);
            double sealed = perDatagram(table, keys, 200_000, 1_000_000 / members);
            System.out.printf(Locale.ROOT, "members=%d bytes=%d plain=%.0f sealed=%.0f ratio=%.2f%n", members,
                    GossipCodec.encode(table).length, plain, sealed, sealed / plain);
        }

        System.out.println("## failure detection (ms), fail-after " + Membership.Config.DEFAULT_FAIL_AFTER.toMillis() + " ms");
        List<Double> plain = new ArrayList<>();
        List<Double> sealed = new ArrayList<>();
        int port = 21000 + (int) (ProcessHandle.current().pid() % 20000);
        for (int round = 0; round < 2 * rounds; round++) {
            boolean keyed = round % 2 == 0;
            (keyed ? sealed : plain).add(detectionMillis(keyed ? keys : null, port));
            port += 3;
        }
        report("plain", plain);
        report("sealed", sealed);
        System.out.printf(Locale.ROOT, "ratio sealed/plain p50=%.2f p99=%.2f%n",
                percentile(sealed, 50) / percentile(plain, 50), percentile(sealed, 99) / percentile(plain, 99));
    }

    /** Mean ns for the sending and the receiving side of one datagram carrying {@code table}. */
    static double perDatagram(List<MemberState> table, GossipKeys keys, int warmup, int iterations) throws Exception {
        GossipSeal.Sealer sealer = keys == null ? null : new GossipSeal.Sealer(keys, table.get(0).name(), 1);
        GossipSeal.Opener opener = keys == null ? null : new GossipSeal.Opener(keys);
        ReplayGuard guard = new ReplayGuard(30_000);
        long sink = 0;
        long start = 0;
        for (int i = 0; i < warmup + iterations; i++) {
            if (i == warmup) {
                start = System.nanoTime();
            }
            long now = System.currentTimeMillis();
            byte[] datagram = GossipCodec.encode(table);
            if (sealer != null) {
                datagram = sealer.seal(datagram, now);
                GossipSeal.Opened opened = opener.open(datagram, datagram.length);
                guard.accept(opened.header(), now);
                datagram = opened.message();
            }
            sink += GossipCodec.decode(datagram, datagram.length).size();
        }
        double ns = (double) (System.nanoTime() - start) / iterations;
        if (sink == 42) {
            System.out.println();
        }
        return ns;
    }

    static double detectionMillis(GossipKeys keys, int port) throws Exception {
        List<Membership> members = new ArrayList<>();
        InetSocketAddress seed = new InetSocketAddress("127.0.0.1", port);
        try {
            for (int i = 0; i < 3; i++) {
                members.add(Membership.start(new Membership.Config("m" + i, new InetSocketAddress("127.0.0.1", port + i),
                        List.of(seed), Membership.Config.DEFAULT_INTERVAL, Membership.Config.DEFAULT_FAIL_AFTER,
                        Membership.Config.DEFAULT_JOIN_DELAY, keys, Membership.Config.DEFAULT_MAX_CLOCK_SKEW), e -> { }));
            }
            while (!members.stream().allMatch(m -> m.alive().size() == 3)) {
                Thread.sleep(10);
            }
            Thread.sleep(500 + ThreadLocalRandom.current().nextInt(100));
            members.get(2).close();
            long killed = System.nanoTime();
            while (members.get(0).alive().contains("m2") || members.get(1).alive().contains("m2")) {
                Thread.sleep(0, 200_000);
            }
            return (System.nanoTime() - killed) / 1e6;
        } finally {
            members.forEach(Membership::close);
        }
    }

    static void report(String name, List<Double> ms) {
        System.out.printf(Locale.ROOT, "%s: n=%d p50=%.0f p99=%.0f max=%.0f%n", name, ms.size(),
                percentile(ms, 50), percentile(ms, 99), Collections.max(ms));
    }

    static double percentile(List<Double> values, int p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
