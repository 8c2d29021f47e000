package io.ledgerlb.bench.bgp;

import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.BgpSession;
import io.ledgerlb.speaker.bgp.IpPrefix;
import io.ledgerlb.speaker.bgp.SessionListener;
import io.ledgerlb.speaker.bgp.SessionState;
import io.ledgerlb.speaker.bgp.codec.BgpCodec;
import io.ledgerlb.speaker.bgp.codec.PathAttribute;
import io.ledgerlb.speaker.bgp.codec.UpdateMessage;
import io.ledgerlb.speaker.bgp.nativ.NativeBgpBackend;
import io.ledgerlb.speaker.bgp.nativ.NetnsLab;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Announcing 10,000 IPv4 /32s over eBGP to a BIRD 2 receiver, from the trigger until the receiver
 * holds all of them: the native speaker (in this JVM) against BIRD and gobgpd as speakers, in
 * one run. Also set() → route visible at the receiver (p50/p99), and the speaker's memory per
 * 10,000 announced prefixes.
 *
 * <p>Layout: the receiver BIRD runs in namespace R, joined to the host by a veth pair (the JVM's
 * side); BIRD-as-speaker and gobgpd run in namespace S, joined to R by a second veth pair inside
 * the namespaces. The receiver keeps each speaker's routes in its own table.
 *
 * <p>Run (root, after {@code ./mvnw -B -q -Pbench package -pl bench -am -DskipTests}):
 * {@code java -cp bench/target/benchmarks.jar io.ledgerlb.bench.bgp.BgpAnnounceBench [rounds]}
 */
public final class BgpAnnounceBench {
    private static final int PREFIXES = 10_000;
    private static final String R_ADDR = "10.99.254.1";
    private static final String BIRD_SPEAKER = "10.99.254.2";
    private static final String GOBGP_SPEAKER = "10.99.254.3";

    private final NetnsLab lab;
    private final String speakers;
    private final List<Process> started = new ArrayList<>();

    private BgpAnnounceBench(NetnsLab lab) {
        this.lab = lab;
        this.speakers = lab.namespace.replace("-b", "-s");
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        try (NetnsLab lab = new NetnsLab()) {
            BgpAnnounceBench bench = new BgpAnnounceBench(lab);
            try {
                bench.run(rounds);
            } finally {
                bench.cleanUp();
            }
        }
    }

    private void run(int rounds) throws Exception {
        setUpSpeakersNamespace();
        startReceiver();
        startBirdSpeaker();
        startGobgpd();
        Path mrt = lab.write("routes.mrt", "");
        Files.write(mrt, mrtDump(prefixes(3)));

        NativeBgpBackend backend = new NativeBgpBackend(new SimpleMeterRegistry());
        long heapBefore = usedHeapAfterGc();
        long rssBefore = rssKb();
        BgpSession session = backend.open(new BgpPeerConfig("receiver", 65000, 65001, lab.routerV4, 179,
                Optional.of(lab.hostV4), Duration.ofSeconds(90), Duration.ZERO, Duration.ofSeconds(5), lab.hostV4,
                false, false, Optional.empty()), SessionListener.NONE);
        try {
            waitFor("all sessions up", () -> session.state() == SessionState.ESTABLISHED && established("from_bird")
                    && established("from_gobgp"), Duration.ofSeconds(60));
        } catch (IllegalStateException e) {
            System.err.println(receiver("show protocols") + "\nnative: " + session.state() + "\n"
                    + lab.log("receiver") + lab.log("bird-speaker") + lab.log("gobgpd"));
            throw e;
        }

        List<Advertisement> nativeAds = prefixes(2).stream().map(Advertisement::of).toList();
        List<Long> nativeTimes = new ArrayList<>();
        List<Long> birdTimes = new ArrayList<>();
        List<Long> gobgpTimes = new ArrayList<>();
        long heapHolding = 0;
        long rssHolding = 0;
        for (int round = 0; round < rounds; round++) {
            birdTimes.add(timeUntilCount("t_bird", PREFIXES, () -> speakerBirdc("enable", "st10k")));
            try {
                gobgpTimes.add(timeUntilCount("t_gobgp", PREFIXES, () -> inS("gobgp", "mrt", "inject", "global", mrt.toString())));
            } catch (IllegalStateException e) {
                System.out.println("  gobgpd not measured this round: " + e.getMessage());
            }
            nativeTimes.add(timeUntilCount("t_native", PREFIXES, () -> session.set(nativeAds)));
            if (round == 0) {
                heapHolding = usedHeapAfterGc();
                rssHolding = rssKb();
            }
            speakerBirdc("disable", "st10k");
            inS("gobgp", "global", "rib", "-a", "ipv4", "del", "all");
            session.set(List.of());
            waitFor("withdrawn", () -> count("t_bird") == 0 && count("t_native") == 0,
                    Duration.ofSeconds(60));
        }

        List<Long> latencies = new ArrayList<>();
        List<Long> pollCost = new ArrayList<>();
        List<Advertisement> current = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            IpPrefix p = IpPrefix.parse("10.4." + (i >> 8) + "." + (i & 255) + "/32");
            current.add(Advertisement.of(p));
            long start = System.nanoTime();
            session.set(List.copyOf(current));
            while (!hasRoute("t_native", p)) {
                if (System.nanoTime() - start > Duration.ofSeconds(10).toNanos()) {
                    throw new IllegalStateException(p + " not at the receiver after 10 s");
                }
            }
            latencies.add(System.nanoTime() - start);
            long pollStart = System.nanoTime();
            hasRoute("t_native", p);
            pollCost.add(System.nanoTime() - pollStart);
        }
        session.close();
        backend.close();

        long birdMedian = median(birdTimes);
        long gobgpMedian = gobgpTimes.isEmpty() ? 0 : median(gobgpTimes);
        long nativeMedian = median(nativeTimes);
        System.out.printf("announce %d IPv4 /32s, trigger -> receiver holds all, median of %d rounds:%n", PREFIXES, rounds);
        System.out.printf("  BIRD speaker   %8.1f ms  %s%n", birdMedian / 1e6, ms(birdTimes));
        System.out.printf("  gobgpd         %8.1f ms  %s%n", gobgpMedian / 1e6, ms(gobgpTimes));
        System.out.printf("  native (Java)  %8.1f ms  %s%n", nativeMedian / 1e6, ms(nativeTimes));
        System.out.printf("  native / BIRD = %.2f   gobgpd / native = %.2f%n", (double) nativeMedian / birdMedian,
                (double) gobgpMedian / nativeMedian);
        System.out.printf("set() -> visible at the receiver (200 single-prefix changes): p50 %.1f ms, p99 %.1f ms;"
                        + " one birdc poll (the resolution) p50 %.1f ms%n",
                percentile(latencies, 50) / 1e6, percentile(latencies, 99) / 1e6, percentile(pollCost, 50) / 1e6);
        System.out.printf("memory holding %d announced prefixes: heap +%.1f MB, RSS +%.1f MB%n", PREFIXES,
                (heapHolding - heapBefore) / 1e6, (rssHolding - rssBefore) / 1e3);
    }

    // ---- the namespaces and daemons

    private void setUpSpeakersNamespace() throws IOException {
        NetnsLab.run("ip", "netns", "add", speakers);
        NetnsLab.run("ip", "-n", lab.namespace, "link", "add", "rs0", "type", "veth", "peer", "name", "sr0", "netns", speakers);
        NetnsLab.run("ip", "-n", lab.namespace, "addr", "add", R_ADDR + "/29", "dev", "rs0");
        NetnsLab.run("ip", "-n", lab.namespace, "link", "set", "rs0", "up");
        NetnsLab.run("ip", "-n", speakers, "addr", "add", BIRD_SPEAKER + "/29", "dev", "sr0");
        NetnsLab.run("ip", "-n", speakers, "addr", "add", GOBGP_SPEAKER + "/29", "dev", "sr0");
        NetnsLab.run("ip", "-n", speakers, "link", "set", "sr0", "up");
        NetnsLab.run("ip", "-n", speakers, "link", "set", "lo", "up");
    }

    private void startReceiver() throws Exception {
        Path config = lab.write("receiver.conf", """
                router id %s;
                ipv4 table t_native;
                ipv4 table t_bird;
                ipv4 table t_gobgp;
                protocol device { }
                template bgp from_speaker { local as 65001; hold time 90; connect retry time 1; }
                protocol bgp from_native from from_speaker {
                  local %s; neighbor %s as 65000; ipv4 { table t_native; import all; export none; };
                }
                protocol bgp from_bird from from_speaker {
                  local %s; neighbor %s as 65010; ipv4 { table t_bird; import all; export none; };
                }
                protocol bgp from_gobgp from from_speaker {
                  local %s; neighbor %s as 65020; ipv4 { table t_gobgp; import all; export none; };
                }
                """.formatted(lab.routerV4.getHostAddress(), lab.routerV4.getHostAddress(), lab.hostV4.getHostAddress(),
                R_ADDR, BIRD_SPEAKER, R_ADDR, GOBGP_SPEAKER));
        started.add(lab.start("receiver", "bird", "-f", "-c", config.toString(), "-s", lab.dir.resolve("receiver.ctl").toString()));
        waitFor("receiver socket", () -> Files.exists(lab.dir.resolve("receiver.ctl")), Duration.ofSeconds(10));
    }

    private void startBirdSpeaker() throws Exception {
        StringBuilder routes = new StringBuilder();
        for (IpPrefix p : prefixes(1)) {
            routes.append("  route ").append(p).append(" blackhole;\n");
        }
        Path config = lab.write("speaker.conf", """
                router id %s;
                protocol device { }
                protocol static st10k { disabled; ipv4;
                %s}
                protocol bgp to_receiver {
                  local %s as 65010; neighbor %s as 65001; connect retry time 1;
                  ipv4 { import none; export all; next hop self; };
                }
                """.formatted(BIRD_SPEAKER, routes, BIRD_SPEAKER, R_ADDR));
        started.add(startInS("bird-speaker", "bird", "-f", "-c", config.toString(), "-s", lab.dir.resolve("speaker.ctl").toString()));
        waitFor("speaker socket", () -> Files.exists(lab.dir.resolve("speaker.ctl")), Duration.ofSeconds(10));
    }

    private void startGobgpd() throws Exception {
        Path config = lab.write("gobgpd.toml", """
                [global.config]
                  as = 65020
                  router-id = "%s"
                  port = -1
                  local-address-list = ["%s"]
                [[neighbors]]
                  [neighbors.config]
                    neighbor-address = "%s"
                    peer-as = 65001
                  [neighbors.transport.config]
                    local-address = "%s"
                  [neighbors.timers.config]
                    connect-retry = 1
                """.formatted(GOBGP_SPEAKER, GOBGP_SPEAKER, R_ADDR, GOBGP_SPEAKER));
        started.add(startInS("gobgpd", "gobgpd", "-f", config.toString(), "-p", "--api-hosts", "127.0.0.1:50051", "--pprof-disable"));
        waitFor("gobgpd API", () -> {
            try {
                inS("gobgp", "global");
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        }, Duration.ofSeconds(15));
    }

    private Process startInS(String name, String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", speakers));
        full.addAll(List.of(command));
        return new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(lab.dir.resolve(name + ".log").toFile()).start();
    }

    private void cleanUp() {
        for (Process p : started) {
            p.destroy();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            NetnsLab.run("ip", "netns", "del", speakers);
        } catch (IOException e) {
            // not created
        }
    }

    private String inS(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", speakers));
        full.addAll(List.of(command));
        try {
            return NetnsLab.run(full.toArray(String[]::new));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void speakerBirdc(String... command) {
        List<String> full = new ArrayList<>(List.of("birdc", "-s", lab.dir.resolve("speaker.ctl").toString()));
        full.addAll(List.of(command));
        try {
            NetnsLab.run(full.toArray(String[]::new));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private String receiver(String command) {
        try {
            return NetnsLab.run("birdc", "-s", lab.dir.resolve("receiver.ctl").toString(), command);
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    private boolean established(String protocol) {
        return receiver("show protocols " + protocol).contains("Established");
    }

    private int count(String table) {
        for (String line : receiver("show route count table " + table).split("\n")) {
            line = line.trim();
            if (line.contains(" of ") && line.contains("routes")) {
                return Integer.parseInt(line.substring(0, line.indexOf(' ')));
            }
        }
        return 0;
    }

    private boolean hasRoute(String table, IpPrefix prefix) {
        return !receiver("show route " + prefix + " table " + table).contains("Network not found");
    }

    private long timeUntilCount(String table, int expected, Runnable trigger) throws Exception {
        long start = System.nanoTime();
        trigger.run();
        int count;
        while ((count = count(table)) < expected) {
            if (System.nanoTime() - start > Duration.ofSeconds(60).toNanos()) {
                throw new IllegalStateException(table + " holds " + count + " of " + expected + " after 60 s");
            }
        }
        long elapsed = System.nanoTime() - start;
        System.out.printf("  %s: %d routes in %.1f ms%n", table, expected, elapsed / 1e6);
        return elapsed;
    }

    // ---- data

    /** 10,000 /32s in 10.{first}.0.0/16 and on. */
    private static List<IpPrefix> prefixes(int first) {
        List<IpPrefix> list = new ArrayList<>(PREFIXES);
        for (int i = 0; i < PREFIXES; i++) {
            list.add(IpPrefix.parse("10." + (first * 10 + (i >> 16)) + "." + (i >> 8 & 255) + "." + (i & 255) + "/32"));
        }
        return list;
    }

    /** An MRT TABLE_DUMP_V2 file (RFC 6396) of the prefixes, which {@code gobgp mrt inject} streams in. */
    private static byte[] mrtDump(List<IpPrefix> prefixes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] id = InetAddress.getByName(GOBGP_SPEAKER).getAddress();
        ByteBuffer peers = ByteBuffer.allocate(4 + 2 + 2 + 1 + 4 + 4 + 4);
        peers.put(id).putShort((short) 0).putShort((short) 1).put((byte) 2).put(id).put(id).putInt(65020);
        mrtRecord(out, 1, peers.array());
        UpdateMessage carrier = new UpdateMessage(List.of(), List.of(PathAttribute.Origin.IGP, PathAttribute.AsPath.empty(),
                new PathAttribute.NextHop((java.net.Inet4Address) InetAddress.getByName(GOBGP_SPEAKER))), List.of());
        byte[] update = BgpCodec.encode(carrier, true);
        byte[] attributes = Arrays.copyOfRange(update, 23, update.length);
        int sequence = 0;
        for (IpPrefix p : prefixes) {
            int bytes = (p.length() + 7) / 8;
            ByteBuffer rib = ByteBuffer.allocate(4 + 1 + bytes + 2 + 2 + 4 + 2 + attributes.length);
            rib.putInt(sequence++).put((byte) p.length()).put(p.address().getAddress(), 0, bytes).putShort((short) 1)
                    .putShort((short) 0).putInt(0).putShort((short) attributes.length).put(attributes);
            mrtRecord(out, 2, rib.array());
        }
        return out.toByteArray();
    }

    private static void mrtRecord(ByteArrayOutputStream out, int subtype, byte[] body) {
        ByteBuffer header = ByteBuffer.allocate(12);
        header.putInt((int) (System.currentTimeMillis() / 1000)).putShort((short) 13).putShort((short) subtype).putInt(body.length);
        out.writeBytes(header.array());
        out.writeBytes(body);
    }

    // ---- measurement helpers

    private static void waitFor(String what, Supplier<Boolean> condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    private static long median(List<Long> values) {
        return percentile(values, 50);
    }

    private static long percentile(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static String ms(List<Long> values) {
        return values.stream().map(v -> String.format("%.1f", v / 1e6)).toList().toString();
    }
}
