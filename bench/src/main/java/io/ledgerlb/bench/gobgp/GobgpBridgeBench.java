package io.ledgerlb.bench.gobgp;

import io.ledgerlb.gobgp.BgpGlobal;
import io.ledgerlb.gobgp.DesiredPath;
import io.ledgerlb.gobgp.GobgpBridge;
import io.ledgerlb.gobgp.GobgpClient;
import io.ledgerlb.gobgp.RouteFamily;
import io.ledgerlb.net.Community;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.net.LargeCommunity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * End to end: how fast paths get into a real gobgpd through the bridge, against gobgpd's own CLI
 * adding the same paths in the same run; and the latency of one AddPath call through the bridge's
 * client, against one `gobgp global rib add`.
 *
 * <p>It starts its own gobgpd (needs /usr/bin/gobgpd and gobgp) with its API on a unix socket in a
 * temporary folder and BGP not listening, and stops it (by PID) at the end.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.ledgerlb.bench.gobgp.GobgpBridgeBench [paths] [cliPaths] [latencySamples]</pre>
 */
public final class GobgpBridgeBench {

    public static void main(String[] args) throws Exception {
        int paths = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int cliPaths = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int samples = args.length > 2 ? Integer.parseInt(args[2]) : 2_000;
        Path dir = Files.createTempDirectory("llb-gobgp-bench");
        String target = "unix://" + dir.resolve("gobgpd.sock");
        Process gobgpd = new ProcessBuilder("gobgpd", "-p", "-l", "warn", "--api-hosts", target, "--pprof-disable")
                .redirectErrorStream(true).redirectOutput(dir.resolve("gobgpd.log").toFile()).start();
        try {
            awaitSocket(dir.resolve("gobgpd.sock"), gobgpd);
            run(target, paths, cliPaths, samples);
        } finally {
            gobgpd.destroy();
            gobgpd.waitFor(5, TimeUnit.SECONDS);
            gobgpd.destroyForcibly();
            try (var files = Files.list(dir)) {
                files.forEach(f -> f.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
    }

    private static void run(String target, int paths, int cliPaths, int samples) throws Exception {
        List<DesiredPath> desired = new ArrayList<>();
        for (int i = 0; i < paths; i++) {
            desired.add(new DesiredPath(IpPrefix.of(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i}, 32),
                    DesiredPath.unspecified(RouteFamily.IPV4_UNICAST), DesiredPath.Origin.IGP, 100L, List.of(new Community(64512, 1)),
                    List.of(new LargeCommunity(64512, 1, 1))));
        }
        try (GobgpClient client = new GobgpClient(target, Duration.ofSeconds(60));
             GobgpBridge bridge = new GobgpBridge(client, BgpGlobal.connectOnly(64512, "10.99.0.1"), GobgpBridge.Listener.NONE,
                     Duration.ofHours(1))) {
            bridge.reconcile().get(60, TimeUnit.SECONDS); // BGP started, connection warm

            // warm-up round (JIT), then the measured one
            bridge.setPaths(desired.subList(0, Math.min(1_000, paths)));
            bridge.reconcile().get(120, TimeUnit.SECONDS);
            bridge.setPaths(List.of());
            bridge.reconcile().get(120, TimeUnit.SECONDS);

            long start = System.nanoTime();
            bridge.setPaths(desired);
            bridge.reconcile().get(300, TimeUnit.SECONDS);
            double addSeconds = seconds(start);
            int held = client.localPaths(RouteFamily.IPV4_UNICAST).size();
            check(held == paths, "gobgpd holds " + held + " paths, expected " + paths);

            start = System.nanoTime();
            bridge.setPaths(List.of());
            bridge.reconcile().get(300, TimeUnit.SECONDS);
            double withdrawSeconds = seconds(start);
            check(client.localPaths(RouteFamily.IPV4_UNICAST).isEmpty(), "paths left after the withdrawal");

            // gobgpd's own CLI: one process per path, as a script would do it
            long[] cliNanos = new long[cliPaths];
            start = System.nanoTime();
            for (int i = 0; i < cliPaths; i++) {
                long t = System.nanoTime();
                cli(target, "global", "rib", "add", desired.get(i).prefix().toString(), "nexthop", "0.0.0.0",
                        "local-pref", "100", "community", "64512:1", "large-community", "64512:1:1");
                cliNanos[i] = System.nanoTime() - t;
            }
            double cliSeconds = seconds(start);
            check(client.localPaths(RouteFamily.IPV4_UNICAST).size() == cliPaths, "the CLI did not add every path");

            // latency of one add through the bridge's client (a unary AddPath)
            long[] nanos = new long[samples];
            for (int i = 0; i < samples + 200; i++) {
                DesiredPath path = desired.get(cliPaths + i % (paths - cliPaths));
                long t = System.nanoTime();
                client.addPath(path);
                if (i >= 200) {
                    nanos[i - 200] = System.nanoTime() - t;
                }
            }

            double bridgeRate = paths / addSeconds;
            double cliRate = cliPaths / cliSeconds;
            System.out.printf("bridge: %d paths added in %.2f s = %.0f paths/s (withdrawn in %.2f s = %.0f paths/s)%n",
                    paths, addSeconds, bridgeRate, withdrawSeconds, paths / withdrawSeconds);
            System.out.printf("gobgp CLI: %d paths in %.2f s = %.1f paths/s%n", cliPaths, cliSeconds, cliRate);
            System.out.printf("ratio bridge/CLI throughput: %.0fx%n", bridgeRate / cliRate);
            System.out.printf("one add, bridge client (unary AddPath, %d samples): p50 %.3f ms, p99 %.3f ms%n",
                    samples, percentile(nanos, 50), percentile(nanos, 99));
            System.out.printf("one add, gobgp CLI (%d samples): p50 %.3f ms, p99 %.3f ms%n",
                    cliPaths, percentile(cliNanos, 50), percentile(cliNanos, 99));
            System.out.printf("ratio CLI/bridge p50 latency: %.0fx%n", percentile(cliNanos, 50) / percentile(nanos, 50));
        }
    }

    private static void cli(String target, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("gobgp", "--target", target));
        command.addAll(Arrays.asList(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        check(process.waitFor() == 0, "gobgp CLI failed: " + output);
    }

    private static double percentile(long[] nanos, int p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    private static void awaitSocket(Path socket, Process gobgpd) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(socket)) {
            check(gobgpd.isAlive() && System.nanoTime() < deadline, "gobgpd did not start");
            Thread.sleep(20);
        }
    }
}
