package io.ledgerlb.bench.bgp;

import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.BgpSession;
import io.ledgerlb.speaker.bgp.SessionListener;
import io.ledgerlb.speaker.bgp.SessionState;
import io.ledgerlb.speaker.bgp.bfd.BfdPeer;
import io.ledgerlb.speaker.bgp.bfd.BfdSettings;
import io.ledgerlb.speaker.bgp.nativ.BirdRouter;
import io.ledgerlb.speaker.bgp.nativ.NativeBgpBackend;
import io.ledgerlb.speaker.bgp.nativ.NetnsLab;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * A silent link loss between the native speaker and a BIRD 2 router (every packet dropped in the
 * router's namespace by nftables: no FIN, no carrier change), timed from the drop until BIRD no
 * longer holds the speaker's path. Two sessions in one run, each to its own BIRD in its own
 * namespace, the same hold time (MetalLB's default 90 s unless given): one watched by BFD at
 * MetalLB's default profile (300 ms × 3, BIRD's {@code protocol bfd} alike), measured {@code rounds}
 * times; one without BFD, which only the hold timer ends, measured once, at the same time.
 *
 * <p>Run as root: {@code java -cp bench/target/benchmarks.jar io.ledgerlb.bench.bgp.BfdDetectionBench [rounds] [holdSeconds]}
 */
public final class BfdDetectionBench {
    private static final String PREFIX = "192.0.2.80";
    private static final Duration SETTLE = Duration.ofSeconds(60);

    private BfdDetectionBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int hold = args.length > 1 ? Integer.parseInt(args[1]) : 90;
        if (!io.ledgerlb.lab.NetnsLab.available() || !Files.isExecutable(Path.of(BirdRouter.BIRD))
                || !Files.isExecutable(Path.of(NetnsLab.NFT))) {
            System.err.println("needs root, iproute2, bird2 and nftables");
            System.exit(2);
        }
        System.out.println("load average at start: " + Files.readString(Path.of("/proc/loadavg")).trim());
        NativeBgpBackend backend = new NativeBgpBackend(new SimpleMeterRegistry());
        try (NetnsLab bfdLab = new NetnsLab(); NetnsLab holdLab = new NetnsLab();
             BirdRouter bfdBird = new BirdRouter(bfdLab, 65001, 65000, true, hold, "bfd on;", """
                     protocol bfd {
                       interface "*" { min rx interval 300 ms; min tx interval 300 ms; multiplier 3; };
                     }
                     """);
             BirdRouter holdBird = new BirdRouter(holdLab, 65001, 65000, true, hold, "")) {
            BgpSession withBfd = backend.open(peer(bfdLab, hold), SessionListener.NONE, new BfdPeer(bfdLab.routerV4, false, 254,
                    new BfdSettings(Duration.ofMillis(300), Duration.ofMillis(300), 3, false)));
            BgpSession without = backend.open(peer(holdLab, hold), SessionListener.NONE);
            for (BgpSession s : List.of(withBfd, without)) {
                s.set(List.of(new Advertisement(IpPrefix.parse(PREFIX + "/32"), null, List.of(), List.of())));
            }
            try (BirdControl bfdControl = new BirdControl(bfdLab.dir.resolve("bird.ctl"));
                 BirdControl holdControl = new BirdControl(holdLab.dir.resolve("bird.ctl"))) {
                waitFor("both sessions up, the path at both routers", SETTLE, () -> without.state() == SessionState.ESTABLISHED
                        && withBfd.state() == SessionState.ESTABLISHED && bfdControl.holds(PREFIX) && holdControl.holds(PREFIX)
                        && bfdControl.command("show bfd sessions").contains(" Up "));

                CompletableFuture<Long> holdTimer = CompletableFuture.supplyAsync(() -> {
                    try {
                        return silentUntilWithdrawn(holdLab, holdControl, Duration.ofSeconds(hold + 30L), 10);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                List<Long> bfd = new ArrayList<>();
                for (int round = 0; round < rounds; round++) {
                    long nanos = silentUntilWithdrawn(bfdLab, bfdControl, Duration.ofSeconds(30), 1);
                    bfd.add(nanos);
                    System.out.printf("BFD round %d: withdrawn after %.0f ms%n", round + 1, nanos / 1e6);
                    bfdLab.silence(false);
                    waitFor("the path back at BIRD with BFD up", SETTLE, () -> bfdControl.holds(PREFIX)
                            && bfdControl.command("show bfd sessions").contains(" Up "));
                }
                System.out.println("waiting for the hold timer (" + hold + " s) of the session without BFD ...");
                long holdNanos = holdTimer.get();
                Collections.sort(bfd);
                double p50 = bfd.get(bfd.size() / 2) / 1e6;
                System.out.printf("with BFD 300 ms x 3 (%d rounds): min %.0f ms, p50 %.0f ms, max %.0f ms%n",
                        bfd.size(), bfd.get(0) / 1e6, p50, bfd.get(bfd.size() - 1) / 1e6);
                System.out.printf("without BFD (hold time %d s): %.1f s%n", hold, holdNanos / 1e9);
                System.out.printf("hold timer / BFD (p50): %.0fx%n", holdNanos / 1e6 / p50);
                System.out.println("load average at end: " + Files.readString(Path.of("/proc/loadavg")).trim());
            }
        } finally {
            backend.close();
        }
    }

    private static BgpPeerConfig peer(NetnsLab lab, int hold) {
        return new BgpPeerConfig("bird", 65000, 65001, lab.routerV4, 179, Optional.of(lab.hostV4), Duration.ofSeconds(hold),
                Duration.ZERO, Duration.ofSeconds(1), lab.hostV4, false, false, Optional.empty());
    }

    /** Silences the router's namespace and polls BIRD every {@code pollMillis} until the path is gone; nanoseconds. */
    private static long silentUntilWithdrawn(NetnsLab lab, BirdControl bird, Duration timeout, long pollMillis) throws Exception {
        lab.silence(true);
        long start = System.nanoTime();
        while (bird.holds(PREFIX)) {
            if (System.nanoTime() - start > timeout.toNanos()) {
                throw new IllegalStateException("BIRD still holds the path " + timeout + " after the link went silent");
            }
            Thread.sleep(pollMillis);
        }
        return System.nanoTime() - start;
    }

    private static void waitFor(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
