package io.ledgerlb.bench.bgp;

import io.ledgerlb.gobgp.DesiredPath;
import io.ledgerlb.gobgp.GobgpClient;
import io.ledgerlb.gobgp.ObservedPath;
import io.ledgerlb.gobgp.RouteFamily;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.BgpSession;
import io.ledgerlb.speaker.bgp.SessionListener;
import io.ledgerlb.speaker.bgp.SessionState;
import io.ledgerlb.speaker.bgp.nativ.NativeBgpBackend;
import io.ledgerlb.speaker.bgp.nativ.NetnsLab;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Announcing 10,000 IPv4 /32s over eBGP to a BIRD 2 receiver, from the trigger until the receiver
 * holds all of them, for four speakers in one run: BIRD 2 ({@code enable} of a static protocol),
 * the native Java speaker in this JVM ({@code BgpSession.set}), gobgpd 3.10 (one gRPC
 * {@code AddPathStream} call through gobgp-bridge's client) and FRR 8.4 bgpd ({@code redistribute
 * kernel} of 10,000 kernel routes, through {@code vtysh}; left out when FRR is not installed).
 * Also: the memory each daemon holds them in and the native speaker's heap and RSS growth, and
 * the native set() → route visible at the receiver (p50/p99). A first round warms up and is not
 * counted.
 *
 * <p>Layout: the receiver BIRD runs in namespace R, joined to the host by a veth pair (the JVM's
 * side); the other speakers run in namespace S, joined to R by a second veth pair inside the
 * namespaces. The receiver keeps each speaker's routes in its own table and is polled over one
 * open connection to its control socket. Announced prefixes are 10.99.x.y/32s in /24s that no
 * link of the bench uses; FRR's kernel routes are blackholes in namespace S.
 *
 * <p>Run (root, after {@code ./mvnw -B -q -Pbench package -pl bench -am -DskipTests}):
 * {@code java -cp bench/target/benchmarks.jar io.ledgerlb.bench.bgp.BgpAnnounceBench [rounds]}
 */
public final class BgpAnnounceBench {
    private static final int PREFIXES = 10_000;
    private static final int BLOCKS_PER_SPEAKER = (PREFIXES + 255) / 256;
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);
    private static final String R_ADDR = "10.99.254.1";
    private static final String BIRD_SPEAKER = "10.99.254.2";
    private static final String GOBGP_SPEAKER = "10.99.254.3";
    private static final String FRR_SPEAKER = "10.99.254.4";
    private static final int FRR_AS = 65030;
    private static final Path FRR_DAEMONS = Path.of("/usr/lib/frr");

    /** A step that may fail with any exception (a daemon command, a gRPC call). */
    private interface Step {
        void run() throws Exception;
    }

    /**
     * One speaker under test: how it announces the 10,000 and takes them back, the receiver's table
     * they land in, and the processes that hold them (none for the native speaker: this JVM).
     */
    private record Speaker(String name, String table, Step announce, Step withdraw, Map<String, Process> daemons) {
        Speaker {
            daemons = new TreeMap<>(daemons);
        }
    }

    private final NetnsLab lab;
    private final String speakers;
    private final boolean withFrr = Files.isExecutable(FRR_DAEMONS.resolve("bgpd")) && Files.isExecutable(FRR_DAEMONS.resolve("zebra"));
    /** Third octets of 10.99.0.0/16 free for announced /32s: not the receiver link's, not the JVM link's. */
    private final List<Integer> freeBlocks = new ArrayList<>();
    private final List<Process> started = new ArrayList<>();
    private final List<Long> pollNanos = new ArrayList<>();
    private Process birdSpeaker;
    private Process gobgpd;
    private Process zebra;
    private Process bgpd;

    private BgpAnnounceBench(NetnsLab lab) {
        this.lab = lab;
        this.speakers = lab.namespace.replace("-b", "-s");
        int jvmLinkBlock = lab.hostV4.getAddress()[2] & 0xFF;
        for (int block = 0; block < 254; block++) {
            if (block != jvmLinkBlock) {
                freeBlocks.add(block);
            }
        }
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
        System.out.println("start " + Instant.now() + ", load average " + loadAverage());
        setUpSpeakersNamespace();
        startReceiver();
        startBirdSpeaker();
        String gobgpTarget = startGobgpd();
        if (withFrr) {
            startFrr();
        }
        List<DesiredPath> gobgpPaths = addresses(2).stream()
                .map(a -> DesiredPath.of(IpPrefix.of(a, 32))).toList();
        List<Advertisement> nativeAds = addresses(1).stream()
                .map(a -> Advertisement.of(IpPrefix.parse(a + "/32"))).toList();

        NativeBgpBackend backend = new NativeBgpBackend(new SimpleMeterRegistry());
        long heapBefore = usedHeapAfterGc();
        long rssBefore = rssKb(ProcessHandle.current().pid());
        try (BirdControl receiver = new BirdControl(lab.dir.resolve("receiver.ctl"));
             BirdControl birdc = new BirdControl(lab.dir.resolve("speaker.ctl"));
             GobgpClient gobgp = new GobgpClient(gobgpTarget, Duration.ofSeconds(60))) {
            BgpSession session = backend.open(new BgpPeerConfig("receiver", 65000, 65001, lab.routerV4, 179,
                    Optional.of(lab.hostV4), Duration.ofSeconds(90), Duration.ZERO, Duration.ofSeconds(5), lab.hostV4,
                    false, false, Optional.empty()), SessionListener.NONE);
            List<String> protocols = new ArrayList<>(List.of("from_bird", "from_gobgp"));
            if (withFrr) {
                protocols.add("from_frr");
            }
            try {
                waitFor("all sessions up", () -> session.state() == SessionState.ESTABLISHED
                        && protocols.stream().allMatch(p -> receiver.command("show protocols " + p).contains("Established")),
                        Duration.ofSeconds(60));
            } catch (IllegalStateException e) {
                System.err.println(receiver.command("show protocols") + "\nnative: " + session.state() + "\n"
                        + lab.log("receiver") + lab.log("bird-speaker") + lab.log("gobgpd") + lab.log("zebra") + lab.log("bgpd"));
                throw e;
            }

            List<Speaker> all = new ArrayList<>();
            all.add(new Speaker("BIRD 2", "t_bird", () -> birdc.command("enable st10k"), () -> birdc.command("disable st10k"),
                    Map.of("bird", birdSpeaker)));
            all.add(new Speaker("native (Java)", "t_native", () -> session.set(nativeAds), () -> session.set(List.of()), Map.of()));
            all.add(new Speaker("gobgpd", "t_gobgp", () -> gobgp.addPaths(gobgpPaths),
                    () -> gobgp.withdrawPaths(gobgp.localPaths(RouteFamily.IPV4_UNICAST).stream().map(ObservedPath::api).toList()),
                    Map.of("gobgpd", gobgpd)));
            if (withFrr) {
                all.add(new Speaker("FRR bgpd", "t_frr", () -> vtysh("redistribute kernel"), () -> vtysh("no redistribute kernel"),
                        Map.of("bgpd", bgpd, "zebra", zebra)));
            }

            Map<String, Long> rssIdle = daemonsRss(all);
            Map<String, Long> rssHolding = new LinkedHashMap<>();
            Map<String, List<Long>> times = new LinkedHashMap<>();
            all.forEach(s -> times.put(s.name(), new ArrayList<>()));
            long heapHolding = 0;
            long rssHoldingJvm = 0;
            // round 0 warms up this JVM's code (the native speaker's and the gRPC client's) and is not counted
            for (int round = 0; round <= rounds; round++) {
                System.out.printf("round %d%s (load average %s)%n", round, round == 0 ? ", warm-up, not counted" : "", loadAverage());
                for (Speaker speaker : all) {
                    try {
                        long elapsed = timeUntilCount(receiver, speaker, PREFIXES);
                        if (round > 0) {
                            times.get(speaker.name()).add(elapsed);
                        }
                    } catch (IllegalStateException e) {
                        System.out.println("  " + speaker.name() + " not measured this round: " + e.getMessage());
                    }
                    if (round == 0) {
                        if (speaker.daemons().isEmpty()) {
                            heapHolding = usedHeapAfterGc();
                            rssHoldingJvm = rssKb(ProcessHandle.current().pid());
                        }
                        speaker.daemons().forEach((name, p) -> rssHolding.put(name, rssKb(p.pid())));
                    }
                }
                for (Speaker speaker : all) {
                    speaker.withdraw().run();
                }
                waitFor("withdrawn", () -> all.stream().allMatch(s -> receiver.count(s.table()) == 0), DELIVERY_TIMEOUT);
            }

            setToVisible(session, receiver);
            session.close();
            backend.close();

            report(rounds, all, times, rssIdle, rssHolding);
            System.out.printf("native speaker holding %d announced prefixes: heap +%.1f MB after GC, JVM RSS +%.1f MB%n", PREFIXES,
                    (heapHolding - heapBefore) / 1e6, (rssHoldingJvm - rssBefore) / 1e3);
            System.out.println("end " + Instant.now() + ", load average " + loadAverage());
        }
    }

    /** The native speaker's set() → route visible at the receiver, for 200 single-prefix changes. */
    private void setToVisible(BgpSession session, BirdControl receiver) {
        List<Long> latencies = new ArrayList<>();
        List<Long> pollCost = new ArrayList<>();
        List<Advertisement> current = new ArrayList<>();
        String latencyNet = "10.99." + freeBlocks.get(4 * BLOCKS_PER_SPEAKER) + ".";
        for (int i = 0; i < 200; i++) {
            String address = latencyNet + i;
            current.add(Advertisement.of(IpPrefix.parse(address + "/32")));
            long start = System.nanoTime();
            session.set(List.copyOf(current));
            while (!receiver.command("show route " + address + "/32 table t_native").contains(address + "/32")) {
                if (System.nanoTime() - start > Duration.ofSeconds(10).toNanos()) {
                    throw new IllegalStateException(address + " not at the receiver after 10 s");
                }
            }
            latencies.add(System.nanoTime() - start);
            long pollStart = System.nanoTime();
            receiver.command("show route " + address + "/32 table t_native");
            pollCost.add(System.nanoTime() - pollStart);
        }
        System.out.printf("native set() -> visible at the receiver (200 single-prefix changes): p50 %.1f ms, p99 %.1f ms;"
                        + " one poll (the resolution) p50 %.2f ms%n",
                percentile(latencies, 50) / 1e6, percentile(latencies, 99) / 1e6, percentile(pollCost, 50) / 1e6);
    }

    private void report(int rounds, List<Speaker> all, Map<String, List<Long>> times, Map<String, Long> rssIdle,
                        Map<String, Long> rssHolding) {
        System.out.printf("announce %d IPv4 /32s, trigger -> receiver holds all, %d rounds after the warm-up (median; each round):%n", PREFIXES, rounds);
        List<Long> bird = times.get("BIRD 2");
        long birdMedian = bird.isEmpty() ? 0 : median(bird);
        for (Speaker s : all) {
            List<Long> t = times.get(s.name());
            String ratio = t.isEmpty() || birdMedian == 0 ? "-" : String.format("%.2f", (double) median(t) / birdMedian);
            System.out.printf("  %-14s %9s ms  %-32s x BIRD %s%n", s.name(), t.isEmpty() ? "-" : String.format("%.1f", median(t) / 1e6),
                    ms(t), ratio);
        }
        List<Long> nativeTimes = times.get("native (Java)");
        List<Long> gobgpTimes = times.get("gobgpd");
        if (!nativeTimes.isEmpty() && !gobgpTimes.isEmpty()) {
            System.out.printf("  gobgpd / native = %.1f (medians)%n", (double) median(gobgpTimes) / median(nativeTimes));
        }
        System.out.printf("  one receiver poll (the resolution): p50 %.2f ms, p99 %.2f ms%n",
                percentile(pollNanos, 50) / 1e6, percentile(pollNanos, 99) / 1e6);
        System.out.println("daemon RSS, sessions up and nothing announced -> holding the 10,000 (warm-up round):");
        rssIdle.forEach((name, idle) -> System.out.printf("  %-7s %6.1f MB -> %6.1f MB%n", name, idle / 1e3,
                rssHolding.getOrDefault(name, 0L) / 1e3));
    }

    // ---- the namespaces and daemons

    private void setUpSpeakersNamespace() throws IOException {
        NetnsLab.run("ip", "netns", "add", speakers);
        NetnsLab.run("ip", "-n", lab.namespace, "link", "add", "rs0", "type", "veth", "peer", "name", "sr0", "netns", speakers);
        NetnsLab.run("ip", "-n", lab.namespace, "addr", "add", R_ADDR + "/29", "dev", "rs0");
        NetnsLab.run("ip", "-n", lab.namespace, "link", "set", "rs0", "up");
        for (String address : List.of(BIRD_SPEAKER, GOBGP_SPEAKER, FRR_SPEAKER)) {
            NetnsLab.run("ip", "-n", speakers, "addr", "add", address + "/29", "dev", "sr0");
        }
        NetnsLab.run("ip", "-n", speakers, "link", "set", "sr0", "up");
        NetnsLab.run("ip", "-n", speakers, "link", "set", "lo", "up");
    }

    private void startReceiver() throws Exception {
        String router = lab.routerV4.getHostAddress();
        StringBuilder config = new StringBuilder("""
                router id %s;
                ipv4 table t_native;
                ipv4 table t_bird;
                ipv4 table t_gobgp;
                ipv4 table t_frr;
                protocol device { }
                template bgp from_speaker { local as 65001; hold time 90; connect retry time 1; }
                """.formatted(router));
        config.append(receiving("from_native", router, lab.hostV4.getHostAddress(), 65000, "t_native"));
        config.append(receiving("from_bird", R_ADDR, BIRD_SPEAKER, 65010, "t_bird"));
        config.append(receiving("from_gobgp", R_ADDR, GOBGP_SPEAKER, 65020, "t_gobgp"));
        if (withFrr) {
            config.append(receiving("from_frr", R_ADDR, FRR_SPEAKER, FRR_AS, "t_frr"));
        }
        Path file = lab.write("receiver.conf", config.toString());
        started.add(lab.start("receiver", "bird", "-f", "-c", file.toString(), "-s", lab.dir.resolve("receiver.ctl").toString()));
        waitFor("receiver socket", () -> Files.exists(lab.dir.resolve("receiver.ctl")), Duration.ofSeconds(10));
    }

    private static String receiving(String name, String local, String neighbor, int as, String table) {
        return "protocol bgp %s from from_speaker { local %s; neighbor %s as %d; ipv4 { table %s; import all; export none; }; }\n"
                .formatted(name, local, neighbor, as, table);
    }

    private void startBirdSpeaker() throws Exception {
        StringBuilder routes = new StringBuilder();
        for (String address : addresses(0)) {
            routes.append("  route ").append(address).append("/32 blackhole;\n");
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
        birdSpeaker = startInS("bird-speaker", "bird", "-f", "-c", config.toString(), "-s", lab.dir.resolve("speaker.ctl").toString());
        waitFor("speaker socket", () -> Files.exists(lab.dir.resolve("speaker.ctl")), Duration.ofSeconds(10));
    }

    /** gobgpd with its API on a unix socket (reachable from this JVM outside the namespace); returns the gRPC target. */
    private String startGobgpd() throws Exception {
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
        Path socket = lab.dir.resolve("gobgpd.sock");
        String target = "unix://" + socket;
        gobgpd = startInS("gobgpd", "gobgpd", "-f", config.toString(), "-p", "--api-hosts", target, "--pprof-disable");
        waitFor("gobgpd API", () -> Files.exists(socket), Duration.ofSeconds(15));
        return target;
    }

    /**
     * zebra and bgpd in namespace S, as user frr (FRR's vty group check refuses root), with their
     * sockets in a folder of their own; S gets the 10,000 blackhole routes that bgpd redistributes.
     */
    private void startFrr() throws Exception {
        StringBuilder batch = new StringBuilder();
        for (String address : addresses(3)) {
            batch.append("route add blackhole ").append(address).append("/32\n");
        }
        NetnsLab.run("ip", "-n", speakers, "-batch", lab.write("frr-routes.batch", batch.toString()).toString());
        Path frr = frrDir();
        Files.createDirectories(frr);
        Files.setPosixFilePermissions(lab.dir, PosixFilePermissions.fromString("rwx--x--x"));
        Path zebraConf = Files.writeString(frr.resolve("zebra.conf"), "hostname speaker-zebra\n");
        Path bgpdConf = Files.writeString(frr.resolve("bgpd.conf"), """
                frr defaults traditional
                hostname speaker-bgpd
                router bgp %d
                 bgp router-id %s
                 no bgp ebgp-requires-policy
                 neighbor %s remote-as 65001
                 neighbor %s update-source %s
                 neighbor %s timers connect 1
                """.formatted(FRR_AS, FRR_SPEAKER, R_ADDR, R_ADDR, FRR_SPEAKER, R_ADDR));
        NetnsLab.run("chown", "-R", "frr:frr", frr.toString());
        String zserv = frr.resolve("zserv.api").toString();
        zebra = startInS("zebra", FRR_DAEMONS.resolve("zebra").toString(), "-f", zebraConf.toString(),
                "-i", frr.resolve("zebra.pid").toString(), "-z", zserv, "--vty_socket", frr.toString());
        waitFor("zebra socket", () -> Files.exists(frr.resolve("zserv.api")), Duration.ofSeconds(15));
        // -p 0: bgpd does not listen (BIRD's speaker holds port 179 in S), it connects out
        bgpd = startInS("bgpd", FRR_DAEMONS.resolve("bgpd").toString(), "-f", bgpdConf.toString(),
                "-i", frr.resolve("bgpd.pid").toString(), "-z", zserv, "--vty_socket", frr.toString(), "-p", "0");
        waitFor("bgpd vty", () -> Files.exists(frr.resolve("bgpd.vty")), Duration.ofSeconds(15));
    }

    private Path frrDir() {
        return lab.dir.resolve("frr");
    }

    private void vtysh(String addressFamilyCommand) throws IOException {
        NetnsLab.run("vtysh", "--vty_socket", frrDir().toString(), "-c", "configure terminal", "-c", "router bgp " + FRR_AS,
                "-c", "address-family ipv4 unicast", "-c", addressFamilyCommand);
    }

    private Process startInS(String name, String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", speakers));
        full.addAll(List.of(command));
        Process process = new ProcessBuilder(full).redirectErrorStream(true)
                .redirectOutput(lab.dir.resolve(name + ".log").toFile()).start();
        started.add(process);
        return process;
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

    // ---- measuring

    /** Triggers the speaker and polls the receiver's table back to back until it holds {@code expected} routes. */
    private long timeUntilCount(BirdControl receiver, Speaker speaker, int expected) throws Exception {
        long start = System.nanoTime();
        speaker.announce().run();
        long triggered = System.nanoTime() - start;
        int count;
        while (true) {
            long poll = System.nanoTime();
            count = receiver.count(speaker.table());
            pollNanos.add(System.nanoTime() - poll);
            if (count >= expected) {
                break;
            }
            if (System.nanoTime() - start > DELIVERY_TIMEOUT.toNanos()) {
                throw new IllegalStateException(speaker.table() + " holds " + count + " of " + expected + " after "
                        + DELIVERY_TIMEOUT.toSeconds() + " s");
            }
            LockSupport.parkNanos(100_000); // leave the receiver's single thread to its BGP sessions
        }
        long elapsed = System.nanoTime() - start;
        System.out.printf("  %-14s %d routes in %8.1f ms (the trigger returned after %.1f ms)%n", speaker.name(), expected,
                elapsed / 1e6, triggered / 1e6);
        return elapsed;
    }

    private static Map<String, Long> daemonsRss(List<Speaker> all) {
        Map<String, Long> rss = new LinkedHashMap<>();
        all.forEach(s -> s.daemons().forEach((name, p) -> rss.put(name, rssKb(p.pid()))));
        return rss;
    }

    // ---- data

    /**
     * 10,000 addresses in 40 /24s of 10.99.0.0/16 of their own: index 0 BIRD, 1 native, 2 gobgpd,
     * 3 FRR (the set() latency test takes the /24 after them).
     */
    private List<String> addresses(int index) {
        List<String> list = new ArrayList<>(PREFIXES);
        for (int i = 0; i < PREFIXES; i++) {
            list.add("10.99." + freeBlocks.get(index * BLOCKS_PER_SPEAKER + i / 256) + "." + (i % 256));
        }
        return list;
    }

    // ---- helpers

    private static void waitFor(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
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

    /** A process's resident set in kB, 0 when it has ended. */
    private static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            // ended
        }
        return 0;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int mid = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
    }

    private static long percentile(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)));
    }

    private static String ms(List<Long> values) {
        return values.stream().map(v -> String.format("%.1f", v / 1e6)).toList().toString();
    }
}
