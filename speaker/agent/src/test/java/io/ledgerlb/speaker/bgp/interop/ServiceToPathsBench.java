package io.ledgerlb.speaker.bgp.interop;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpSession;
import io.ledgerlb.speaker.bgp.SessionListener;
import io.ledgerlb.speaker.bgp.interop.Speakers.Backend;
import io.ledgerlb.speaker.bgp.nativ.NetnsLab;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, run by hand (its name keeps it out of CI): a Service IP handed to three speakers
 * ({@link BgpSession#set}, what the speaker does once the ledger says the Service has the IP)
 * until the router's kernel holds the route with three next hops (ECMP), at FRR and at BIRD,
 * native against GoBGP in one run, each backend with a lab and router of its own (GoBGP speakers
 * on the addresses native speakers had just left did not come up at FRR within 90 s). The kernel
 * table is read through one {@code ip -batch} process, so a poll costs well under a millisecond.
 *
 * <pre>./mvnw -B -q -pl speaker/agent -am verify -Dtest=ServiceToPathsBench -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class ServiceToPathsBench {
    private static final int ROUNDS = 40;

    @Test
    void serviceToThreePathsAtFrrAndBird() throws Exception {
        NetnsLab.assumeAvailable(FrrRouter.ZEBRA, FrrRouter.BGPD, "/usr/sbin/bird", "/usr/bin/gobgpd");
        Map<String, Function<InteropLab, Router>> routers = Map.of("FRR", lab -> uncheck(() -> new FrrRouter(lab)),
                "BIRD", lab -> uncheck(() -> new BirdRouter(lab)));
        for (String name : List.of("FRR", "BIRD")) {
            Map<Backend, List<Long>> micros = new EnumMap<>(Backend.class);
            int n = 0;
            for (Backend backend : Backend.values()) {
                // a lab and router of its own for each backend: see the class comment
                try (InteropLab lab = new InteropLab(); Router router = routers.get(name).apply(lab); KernelRoutes kernel = new KernelRoutes(lab);
                     Speakers speakers = new Speakers(backend, lab)) {
                    List<BgpSession> sessions = new ArrayList<>();
                    for (int i = 1; i <= InteropLab.SPEAKERS; i++) {
                        sessions.add(speakers.speaker(i).open(lab.peer(i, SessionKind.IBGP_IPV4), SessionListener.NONE));
                    }
                    // the sessions are up once a first Service IP is installed through all three: not timed
                    IpPrefix probe = IpPrefix.parse("192.0.2.254/32");
                    sessions.forEach(s -> s.set(List.of(Advertisement.of(probe))));
                    await().atMost(Duration.ofSeconds(90)).until(() -> kernel.nextHops(probe) == InteropLab.SPEAKERS);
                    sessions.forEach(s -> s.set(List.of()));
                    await().atMost(Duration.ofSeconds(90)).until(() -> kernel.nextHops(probe) == 0);
                    for (int round = 0; round < ROUNDS; round++) {
                        IpPrefix prefix = IpPrefix.parse("192.0.2." + (1 + n++ % 250) + "/32");
                        Advertisement service = Advertisement.of(prefix);
                        long start = System.nanoTime();
                        sessions.forEach(s -> s.set(List.of(service)));
                        while (kernel.nextHops(prefix) < InteropLab.SPEAKERS) {
                            giveUpAfter(start, prefix);
                        }
                        micros.computeIfAbsent(backend, b -> new ArrayList<>()).add((System.nanoTime() - start) / 1000);
                        sessions.forEach(s -> s.set(List.of()));
                        long withdrawn = System.nanoTime();
                        while (kernel.nextHops(prefix) > 0) {
                            giveUpAfter(withdrawn, prefix);
                        }
                    }
                    sessions.forEach(BgpSession::close);
                }
            }
            micros.forEach((backend, values) -> {
                List<Long> sorted = values.stream().sorted().toList();
                System.out.printf("BENCH %s %s: n=%d p50=%.1f ms p99=%.1f ms max=%.1f ms%n", name, backend, sorted.size(),
                        sorted.get(sorted.size() / 2) / 1000.0, sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1) / 1000.0,
                        sorted.get(sorted.size() - 1) / 1000.0);
            });
        }
    }

    private static void giveUpAfter(long start, IpPrefix prefix) {
        if (System.nanoTime() - start > 60_000_000_000L) {
            throw new IllegalStateException(prefix + ": the kernel route did not come (or go) within 60 s");
        }
    }

    /** The router namespace's kernel table through one long-running {@code ip -j -batch -}. */
    private static final class KernelRoutes implements AutoCloseable {
        private final Process ip;
        private final Writer in;
        private final BufferedReader out;

        KernelRoutes(InteropLab lab) throws IOException {
            ip = new ProcessBuilder("ip", "-n", lab.lab.ns(lab.routerNode), "-j", "-batch", "-").redirectErrorStream(true).start();
            in = new OutputStreamWriter(ip.getOutputStream(), StandardCharsets.UTF_8);
            out = new BufferedReader(new InputStreamReader(ip.getInputStream(), StandardCharsets.UTF_8));
        }

        /** How many next hops the kernel's route for the prefix has (0: no route). */
        int nextHops(IpPrefix prefix) throws IOException {
            in.write("route show exact " + prefix + "\n");
            in.flush();
            JsonNode routes = Json.read(out.readLine());
            int hops = 0;
            for (JsonNode route : routes) {
                hops += route.has("nexthops") ? route.get("nexthops").size() : route.has("gateway") ? 1 : 0;
            }
            return hops;
        }

        @Override
        public void close() {
            ip.destroy();
        }
    }

    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static <T> T uncheck(IoSupplier<T> supplier) {
        try {
            return supplier.get();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
