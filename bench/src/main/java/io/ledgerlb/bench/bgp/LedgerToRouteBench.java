package io.ledgerlb.bench.bgp;

import com.google.protobuf.Timestamp;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.ledgerlb.bench.SpeakerJvm;
import io.ledgerlb.bench.TempDirs;
import io.ledgerlb.events.v1.BgpAdvertisementDefined;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.events.v1.ServiceRef;
import io.ledgerlb.lab.NetnsLab;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.LedgerWriter;
import io.ledgerlb.ledger.kafka.EmbeddedKafka;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.kafka.KafkaLedgerWriter;
import io.ledgerlb.speaker.lab.NetnsMain;
import io.ledgerlb.speaker.k8s.EndpointSlices;
import io.ledgerlb.speaker.lab.Relay;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Ledger event → route visible at a BIRD 2 router: a real embedded Kafka ledger in this JVM, the
 * speaker process as deployed ({@code SpeakerMain}, BGP only) in namespace
 * {@code n1} reaching the ledger through a relay, and BIRD in namespace {@code r}, joined to
 * {@code n1} by a veth pair (nothing on the host's network). The API server is fabric8's CRUD mock
 * (also relayed into {@code n1}): the speaker announces a Service only where it has a serving
 * endpoint, so every Service gets an EndpointSlice on {@code n1} before its IP is assigned, outside
 * the timing. Each sample appends one
 * {@code IpAssigned} for a new IP and times from the append's return until BIRD holds the /32,
 * polled over one open connection to BIRD's control socket (one poll's cost is the resolution).
 *
 * <p>With {@code preload} &gt; 0 the ledger first holds that many more Services (IPs across
 * 10.99.0.0/16, 1,000 a transaction) and the speaker runs without Kubernetes (every Service
 * counts as served: no 50,000 EndpointSlices in the mock): it then also reports the time from
 * starting the speaker to its {@code ledgerCaughtUp} and to BIRD holding every preloaded route,
 * and the speaker's RSS at that size. With {@code snapshot} the preload is published as a snapshot
 * (the speaker restores it from the snapshot topic instead of folding the events topic).
 *
 * <p>Run (root, after {@code ./mvnw -B -q -Pbench package -pl bench -am -DskipTests}):
 * {@code java -cp bench/target/benchmarks.jar io.ledgerlb.bench.bgp.LedgerToRouteBench [samples=200] [preload=0] [snapshot]}
 */
public final class LedgerToRouteBench {
    private static final int AS = 64512; // iBGP, as in BgpSpeakerEndToEndTest
    private static final String SPEAKER_IP = "10.99.0.1";
    private static final String ROUTER_IP = "10.99.0.2";
    private static final String POOL = "bench";
    private static final Duration WAIT = Duration.ofSeconds(120);

    /** Held: the mock API server logs every request through java.util.logging. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    private LedgerToRouteBench() {}

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int preload = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        boolean snapshot = args.length > 2 && args[2].equals("snapshot");
        if (!NetnsLab.available() || !NetnsLab.onPath("bird") || !NetnsLab.onPath("birdc")) {
            System.err.println("needs root, iproute2 and bird2");
            System.exit(2);
        }
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        System.out.println("load average at start: " + loadAverage());
        Path data = Files.createTempDirectory("llb-bench-kafka-");
        KubernetesMockServer kube = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        kube.init(InetAddress.getByName("127.0.0.1"), 0);
        try (NetnsLab lab = new NetnsLab(); EmbeddedKafka kafka = EmbeddedKafka.start(data);
             KubernetesClient client = kube.createClient()) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName("n1").endMetadata().build()).create();
            for (int i = 0; i <= samples && preload == 0; i++) {
                EndpointSlices.servedFrom(client, "bench", service(ip(i)), "n1");
            }
            lab.addNamespace("n1");
            lab.addNamespace("r");
            lab.link("n1", "eth0", "r", "eth0");
            lab.address("n1", "eth0", SPEAKER_IP + "/30");
            lab.address("r", "eth0", ROUTER_IP + "/30");
            Path socket = startBird(lab);

            int kafkaPort = Integer.parseInt(kafka.bootstrapServers().replaceAll(".*:", ""));
            try (KafkaLedger ledger = KafkaLedger.open(LedgerConfig.external(kafka.bootstrapServers(), Map.of()));
                 Relay kafkaRelay = Relay.unixToTcp(lab.dir().resolve(kafkaPort + ".sock"), kafkaPort);
                 Relay kubeRelay = Relay.unixToTcp(lab.dir().resolve(kube.getPort() + ".sock"), kube.getPort());
                 KafkaLedgerWriter writer = ledger.openWriter("bench");
                 BirdControl bird = new BirdControl(socket)) {
                writer.append(List.of(
                        event(Event.newBuilder().setPoolDefined(PoolDefined.newBuilder().setName(POOL)
                                .addAddresses(preload > 0 ? "10.99.0.0/16" : "10.99.128.0/17").setAutoAssign(true))),
                        event(Event.newBuilder().setBgpAdvertisementDefined(BgpAdvertisementDefined.newBuilder()
                                .setName("hosts").addIpAddressPools(POOL))),
                        event(Event.newBuilder().setBgpPeerDefined(BgpPeerDefined.newBuilder().setName("bird")
                                .setMyAsn(AS).setPeerAsn(AS).setPeerAddress(ROUTER_IP).setSourceAddress(SPEAKER_IP)
                                .setHoldTimeSeconds(9).setHoldTimeSet(true).setConnectTimeSeconds(1))),
                        assign(ip(0))));
                long loadStart = System.nanoTime();
                for (int from = 0; from < preload; from += 1000) {
                    List<Event> batch = new ArrayList<>();
                    for (int j = from; j < Math.min(preload, from + 1000); j++) {
                        batch.add(assign(preloadIp(j)));
                    }
                    writer.append(batch);
                }
                if (preload > 0) {
                    System.out.printf("preloaded %,d Services in %.1f s%n", preload, (System.nanoTime() - loadStart) / 1e9);
                }
                if (snapshot) {
                    writer.takeSnapshot(ledger.stateAt(writer.lastSequence()));
                    System.out.printf("published a snapshot at sequence %d: the speaker starts from it%n", writer.lastSequence());
                }
                long spawned = System.nanoTime();
                Process speaker = startSpeaker(lab, ledger, kafkaPort, kube.getPort(), preload > 0);
                try {
                    waitFor(() -> bird.holds(ip(0)), Duration.ofMinutes(preload > 0 ? 10 : 2));
                    if (preload > 0) {
                        waitFor(() -> lab.log("speaker.log").contains("\"event\":\"ledgerCaughtUp\""), WAIT);
                        System.out.printf("speaker start -> ledgerCaughtUp found in its log: %.1f s (polled after the first route)%n",
                                (System.nanoTime() - spawned) / 1e9);
                        waitFor(() -> bird.holds(preloadIp(preload - 1)) && bird.holds(preloadIp(preload / 2)), Duration.ofMinutes(10));
                        System.out.printf("speaker start -> BIRD holds the preloaded routes: %.1f s; speaker RSS %s%n",
                                (System.nanoTime() - spawned) / 1e9, rss(speaker.pid()));
                    }
                } catch (IllegalStateException e) {
                    System.err.println(bird.command("show protocols all speaker") + "\n" + lab.log("speaker.log") + lab.log("bird.log"));
                    throw e;
                }
                measure(samples, writer, bird, lab);
                if (preload > 0) {
                    System.out.printf("speaker RSS after the samples: %s%n", rss(speaker.pid()));
                }
            }
        } finally {
            kube.destroy();
            TempDirs.delete(data);
            System.out.println("load average at end: " + loadAverage());
        }
    }

    private static void measure(int samples, LedgerWriter writer, BirdControl bird, NetnsLab lab) throws Exception {
        List<Long> latencies = new ArrayList<>();
        List<TailBreakdown.Sample> timed = new ArrayList<>();
        List<Long> appends = new ArrayList<>();
        List<Long> polls = new ArrayList<>();
        for (int i = 1; i <= samples; i++) {
            String ip = ip(i);
            long before = System.nanoTime();
            writer.append(List.of(assign(ip)));
            long start = System.nanoTime();
            long appendedMicros = TailBreakdown.nowMicros();
            appends.add(start - before);
            while (!bird.holds(ip)) {
                if (System.nanoTime() - start > Duration.ofSeconds(10).toNanos()) {
                    throw new IllegalStateException(ip + " not at BIRD 10 s after its IpAssigned");
                }
            }
            latencies.add(System.nanoTime() - start);
            timed.add(new TailBreakdown.Sample(ip, appendedMicros, TailBreakdown.nowMicros()));
            long pollStart = System.nanoTime();
            bird.holds(ip);
            polls.add(System.nanoTime() - pollStart);
        }
        System.out.printf("ledger append returned -> /32 at BIRD, %d samples: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                samples, pct(latencies, 50), pct(latencies, 99), pct(latencies, 100));
        System.out.printf("one poll of BIRD's control socket (the resolution): p50 %.2f ms, p99 %.2f ms"
                        + " (p50 share of the p50 latency %.1f%%)%n",
                pct(polls, 50), pct(polls, 99), 100 * pct(polls, 50) / pct(latencies, 50));
        System.out.printf("the append itself (not in the latency above): p50 %.1f ms, p99 %.1f ms%n",
                pct(appends, 50), pct(appends, 99));
        Thread.sleep(500); // the speaker's last trace lines
        TailBreakdown.print(timed, lab.log("speaker.log"), Files.readString(lab.dir().resolve("speaker-gc.log")));
    }

    // ---- the router and the speaker

    private static Path startBird(NetnsLab lab) throws Exception {
        Path config = lab.dir().resolve("bird.conf");
        Files.writeString(config, """
                router id %s;
                protocol device { scan time 1; }
                protocol bgp speaker {
                  local %s as %d;
                  neighbor %s as %d;
                  direct;
                  hold time 9;
                  connect retry time 1;
                  error wait time 1, 2;
                  ipv4 { import all; export none; };
                }
                """.formatted(ROUTER_IP, ROUTER_IP, AS, SPEAKER_IP, AS));
        Path socket = lab.dir().resolve("bird.ctl");
        lab.spawn("r", List.of("bird", "-f", "-c", config.toString(), "-s", socket.toString()), "bird.log");
        waitFor(() -> Files.exists(socket), Duration.ofSeconds(10));
        return socket;
    }

    private static String preloadIp(int j) {
        int k = j + 4; // past the link's 10.99.0.0/30
        if (k >= 128 * 256) {
            k += 256; // past 10.99.128.0/24, the samples'
        }
        return "10.99." + (k / 256) + "." + (k % 256);
    }

    private static String rss(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("VmRSS"))
                    .findFirst().map(l -> l.replaceAll("\\s+", " ")).orElse("?");
        } catch (IOException e) {
            return "? (" + e.getMessage() + ")";
        }
    }

    private static Process startSpeaker(NetnsLab lab, KafkaLedger ledger, int kafkaPort, int kubePort, boolean withoutKubernetes)
            throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(SpeakerJvm.options());
        command.addAll(List.of("-Dledgerlb.speaker.traceEntries=true", "-Xlog:gc:file=" + lab.dir().resolve("speaker-gc.log") + ":utctime",
                "-cp", System.getProperty("java.class.path"), NetnsMain.class.getName(),
                lab.dir().toString(), kafkaPort + "," + kubePort, "--",
                "--node-name=n1", "--kafka-bootstrap=127.0.0.1:" + kafkaPort, "--exclude-interface=.*", // BGP only
                "--events-topic=" + ledger.config().eventsTopic(), "--snapshots-topic=" + ledger.config().snapshotsTopic(),
                "--members-bind=" + SPEAKER_IP + ":7946", "--metrics-port=0",
                withoutKubernetes ? "--no-kubernetes" : "--kubernetes-master=http://127.0.0.1:" + kubePort,
                "--namespace=metallb-system"));
        return lab.spawn("n1", command, "speaker.log");
    }

    // ---- the ledger

    private static String ip(int i) {
        return "10.99." + (128 + i / 250) + "." + (i % 250 + 1);
    }

    private static String service(String ip) {
        return "svc-" + ip.replace('.', '-');
    }

    private static Event assign(String ip) {
        return event(Event.newBuilder().setIpAssigned(IpAssigned.newBuilder()
                .setService(ServiceRef.newBuilder().setNamespace("bench").setName(service(ip)).setUid("uid-" + ip))
                .setIp(ip).setPool(POOL)));
    }

    private static Event event(Event.Builder body) {
        return body.setActor("bench").setTime(Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond())).build();
    }

    // ---- helpers

    private static void waitFor(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout);
            }
            Thread.sleep(50);
        }
    }

    private static double pct(List<Long> nanos, int p) {
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1))) / 1e6;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

}
