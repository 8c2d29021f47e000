package io.ledgerlb.bench.allocator;

import com.google.protobuf.Timestamp;
import io.ledgerlb.allocator.admin.LedgerQueries;
import io.ledgerlb.allocator.controller.CoreAllocationStep;
import io.ledgerlb.allocator.explorer.ExplorerAccess;
import io.ledgerlb.allocator.explorer.ExplorerApi;
import io.ledgerlb.allocator.explorer.ExplorerServer;
import io.ledgerlb.allocator.explorer.LiveHead;
import io.ledgerlb.bench.TempDirs;
import io.ledgerlb.events.v1.AllocationRefused;
import io.ledgerlb.events.v1.Cause;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.IpReleased;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.events.v1.ReleaseReason;
import io.ledgerlb.events.v1.ServiceRef;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.kafka.KafkaLedgerWriter;
import io.ledgerlb.ledger.state.LedgerState;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The explorer's views on a ledger of N events (default 1 M), measured in a real headless
 * Chromium: from the start of a navigation to the frame after the page drew the view (the page
 * records it in {@code window.explorerTimings}), so the figure holds the HTTP request, the query,
 * the JSON, and the DOM work. The ledger: 256 pools of a /24, 50,000 Services taking an IP each,
 * then Services released and given their IP back (as re-created Services get theirs), a refusal
 * every 1,000 events, one event every 2.5 s (1 M events span 29 days), a snapshot every 10,000
 * events (the allocator's default). Reference, same run: a raw {@code read_committed} consumer
 * reading every record of the topic (what any answer that scans the ledger costs at least).
 *
 * <pre>java -cp bench/target/benchmarks.jar io.ledgerlb.bench.allocator.ExplorerBench [events]</pre>
 */
public final class ExplorerBench {
    static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    static final int POOLS = 256;
    static final int SERVICES = 50_000;
    static final int ROUNDS = 5;

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = Files.createTempDirectory("ledgerlb-bench-explorer-");
        WebDriver browser = null;
        try (KafkaLedger ledger = KafkaLedger.open(LedgerConfig.embedded(dir))) {
            long start = System.nanoTime();
            int written = fill(ledger, events);
            System.out.printf("ledger of %,d events written (topic, journal, index, snapshots every 10,000) in %.1f s%n",
                    written, (System.nanoTime() - start) / 1e9);

            try (LiveHead live = new LiveHead(ledger)) {
            LedgerQueries queries = new LedgerQueries(ledger, CoreAllocationStep.forCounting(), live::sequence);
            start = System.nanoTime();
            long last = ledger.lastSequence();
            while (queries.lastSequence() < last) {
                Thread.sleep(50); // as the allocator warms it at start: the live view's head, then every entry's time
            }
            System.out.printf("time index built (once per allocator start, in the background): %,d entries in %.2f s%n",
                    last, (System.nanoTime() - start) / 1e9);
            try (ExplorerServer server = new ExplorerServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                         new ExplorerApi(queries, live, false), new ExplorerAccess(Optional.empty()), live)) {
                browser = chromium(dir);
                String base = "http://127.0.0.1:" + server.port() + "/explorer/";
                browser.get(base + "#/trust");
                await(browser, 1);
                Instant end = T0.plusMillis(2500L * written);
                for (int round = 1; round <= 3; round++) {
                    System.out.printf("round %d%n", round);
                    double raw = time(() -> AuditOneIp.rawRead(ledger, dir));
                    System.out.printf("  %-62s %8.3f s%n", "raw consumer read of every record (reference)", raw);
                    List<String[]> views = new ArrayList<>();
                    for (int i = 0; i < ROUNDS; i++) {
                        int n = 1000 + i * 7919 + round * 104_729;
                        views.add(new String[] {"IP timeline", "#/timeline?ip=" + ip(n % SERVICES)});
                        views.add(new String[] {"pool view (holders, waiting)", "#/pool/p" + (n % 190)});
                        views.add(new String[] {"pools overview (256 pools)", "#/pools"});
                        Instant at = T0.plusMillis((long) ((end.toEpochMilli() - T0.toEpochMilli()) * ((i + 1) / 7.0 + round / 31.0)));
                        views.add(new String[] {"state at a time (slider), new point", "#/state?at=" + at});
                        views.add(new String[] {"pool timeline (newest 200 of ~5,000)", "#/timeline?pool=p" + (n % 190)});
                    }
                    Map<String, List<Double>> byView = new java.util.LinkedHashMap<>();
                    for (String[] v : views) {
                        byView.computeIfAbsent(v[0], k -> new ArrayList<>()).add(render(browser, v[1]));
                    }
                    byView.forEach((view, ms) -> {
                        double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                        System.out.printf("  %-62s median %6.0f ms, max %6.0f ms (%d renders); median/raw read %.3f%n",
                                view, sorted[sorted.length / 2], sorted[sorted.length - 1], sorted.length,
                                sorted[sorted.length / 2] / 1000 / raw);
                    });
                }
            }
            }
        } finally {
            if (browser != null) {
                browser.quit();
            }
            TempDirs.delete(dir);
        }
        System.exit(0);
    }

    /** Navigates the open page to a view and returns what the page measured, in milliseconds. */
    static double render(WebDriver browser, String hash) throws InterruptedException {
        JavascriptExecutor js = (JavascriptExecutor) browser;
        long before = ((Number) js.executeScript("return window.explorerTimings.length")).longValue();
        js.executeScript("location.hash = arguments[0]", hash);
        Map<?, ?> timing = await(browser, before + 1);
        if (String.valueOf(timing.get("view")).endsWith("error")) {
            throw new IllegalStateException(hash + ": the page shows an error: "
                    + js.executeScript("return document.querySelector('main').innerText"));
        }
        return ((Number) timing.get("ms")).doubleValue();
    }

    static Map<?, ?> await(WebDriver browser, long count) throws InterruptedException {
        JavascriptExecutor js = (JavascriptExecutor) browser;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Object t = js.executeScript("return window.explorerTimings.length >= arguments[0]"
                    + " ? window.explorerTimings[window.explorerTimings.length - 1] : null", count);
            if (t instanceof Map<?, ?> m) {
                return m;
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("the page did not render in 60 s");
    }

    static WebDriver chromium(Path dir) throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(new File("/usr/bin/chromium"));
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync",
                "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")), "--window-size=1360,900");
        return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build(), options);
    }

    static String ip(int n) {
        return "10.77." + (n / 256) + "." + (n % 256);
    }

    /** Writes the ledger: pools, then 50,000 Services each taking an IP, then release and give back, refusals between. */
    static int fill(KafkaLedger ledger, int events) throws Exception {
        LedgerState state = new LedgerState();
        List<Event> batch = new ArrayList<>();
        int written = 0;
        try (KafkaLedgerWriter writer = ledger.openWriter("bench")) {
            for (int i = 0; i < events; i++) {
                batch.add(event(i).toBuilder().setActor("bench").setTime(time(i)).build());
                if (batch.size() == 10_000 || i == events - 1) {
                    for (LedgerEntry e : writer.append(batch)) {
                        state.apply(e);
                    }
                    written += batch.size();
                    batch.clear();
                    state.apply(writer.takeSnapshot(state).entry()); // the SnapshotTaken entry
                    written++;
                }
            }
        }
        return written;
    }

    static Timestamp time(int i) {
        Instant t = T0.plusMillis(2500L * i);
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    static Event event(int i) {
        Cause cause = Cause.newBuilder().setKind("Service").setNamespace("default").setReason("Bench").build();
        Event.Builder e = Event.newBuilder().setCause(cause);
        if (i < POOLS) {
            return e.setPoolDefined(PoolDefined.newBuilder().setName("p" + i).addAddresses("10.77." + i + ".0/24")
                    .setAutoAssign(true)).build();
        }
        int k = i - POOLS;
        if (k < SERVICES) {
            return e.setIpAssigned(IpAssigned.newBuilder().setService(service(k)).setIp(ip(k)).setPool(pool(k))).build();
        }
        k -= SERVICES;
        int block = k / 1001; // 1,000 churn events, then a refusal
        if (k % 1001 == 1000) {
            return e.setAllocationRefused(AllocationRefused.newBuilder().setService(ServiceRef.newBuilder()
                    .setNamespace("waiting").setName("w" + block)).setReason("NoAvailableIP")
                    .setMessage("no free [IPv4] address in pools [p" + (block % POOLS) + "]")).build();
        }
        int c = block * 1000 + k % 1001;
        int j = (c / 2) % SERVICES;
        if (c % 2 == 0) {
            return e.setIpReleased(IpReleased.newBuilder().setService(service(j)).setIp(ip(j)).setPool(pool(j))
                    .setReason(ReleaseReason.SERVICE_DELETED)).build();
        }
        return e.setIpAssigned(IpAssigned.newBuilder().setService(service(j)).setIp(ip(j)).setPool(pool(j))).build();
    }

    private static ServiceRef service(int j) {
        return ServiceRef.newBuilder().setNamespace("default").setName("svc" + j).build();
    }

    private static String pool(int j) {
        return "p" + (j / 256);
    }

    private static double time(java.util.concurrent.Callable<Object> work) throws Exception {
        long start = System.nanoTime();
        work.call();
        return (System.nanoTime() - start) / 1e9;
    }

}
