package io.ledgerlb.bench.l2;

import com.google.protobuf.Timestamp;
import io.ledgerlb.bench.SpeakerJvm;
import io.ledgerlb.bench.TempDirs;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.L2AdvertisementDefined;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.events.v1.ServiceRef;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.LedgerWriter;
import io.ledgerlb.ledger.kafka.EmbeddedKafka;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.lab.NetnsLab;
import io.ledgerlb.speaker.lab.NetnsMain;
import io.ledgerlb.speaker.lab.Relay;
import io.ledgerlb.speaker.owner.OwnerChooser;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * End-to-end Layer 2 benchmark in network namespaces (needs root, iproute2, iputils-arping,
 * ndisc6, tcpdump): reply latency of the speaker against the kernel answering for an address
 * configured on the same interface, failover time over many kills, and a speaker's memory with
 * many assigned Services against an idle one.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.ledgerlb.bench.l2.Layer2Bench [kills=20] [services=10000] [samples=50]</pre>
 *
 * <p>With {@code slow-neighbours} as the fourth argument it measures failover only, twice in one
 * run, with the speakers on a (mock) Kubernetes API: first as it is, then while every answer of
 * the API server waits 5 s and every speaker has two BGP peers, one that accepted the connection
 * and reads nothing, one whose SYNs are dropped (see {@link SlowNeighbours}).
 */
public final class Layer2Bench {
    static final List<String> NODES = List.of("n1", "n2", "n3");
    static final String IP4 = "10.99.0.200";
    static final String IP6 = "fd00:99::200";
    static final Pattern RTT = Pattern.compile("reply from \\S+ \\[[0-9A-Fa-f:]+\\]\\s+([0-9.]+)ms");

    static NetnsLab lab;
    static int kafkaPort;
    static KafkaLedger ledger;
    static final Map<String, Process> speakers = new HashMap<>();

    public static void main(String[] args) throws Exception {
        int kills = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int services = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int samples = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        boolean slowNeighbours = args.length > 3 && args[3].equals("slow-neighbours");
        if (!NetnsLab.available()) {
            System.err.println("needs root and iproute2");
            System.exit(2);
        }
        Path data = Files.createTempDirectory("llb-bench-kafka-");
        try (NetnsLab l = new NetnsLab(); EmbeddedKafka kafka = EmbeddedKafka.start(data)) {
            lab = l;
            lab.addBridge("br0");
            for (String node : NODES) {
                lab.addNamespace(node);
                lab.connect(node, "eth0", "br0", mac(node), ip(node) + "/24", "fd00:99::" + node.charAt(1) + "/64");
            }
            lab.addNamespace("c");
            lab.connect("c", "eth0", "br0", "02:99:00:00:00:64", "10.99.0.100/24", "fd00:99::100/64");

            ledger = KafkaLedger.open(LedgerConfig.external(kafka.bootstrapServers(), Map.of()));
            kafkaPort = Integer.parseInt(kafka.bootstrapServers().replaceAll(".*:", ""));
            try (Relay relay = Relay.unixToTcp(lab.dir().resolve(kafkaPort + ".sock"), kafkaPort);
                 SlowNeighbours neighbours = slowNeighbours ? SlowNeighbours.start(lab, NODES) : null;
                 LedgerWriter writer = ledger.openWriter("bench")) {
                if (neighbours != null) {
                    relayPorts = kafkaPort + "," + neighbours.apiPort();
                    kubernetesArgs = List.of("--kubernetes-master=http://127.0.0.1:" + neighbours.apiPort());
                }
                writer.append(List.of(
                        event(Event.newBuilder().setPoolDefined(PoolDefined.newBuilder().setName("p")
                                .addAddresses("10.99.0.200-10.99.0.220").addAddresses("fd00:99::200/124")
                                .addAddresses("10.98.0.0/16"))),
                        event(Event.newBuilder().setL2AdvertisementDefined(L2AdvertisementDefined.newBuilder().setName("l2"))),
                        assign("web", IP4), assign("web", IP6)));
                for (String node : NODES) {
                    startSpeaker(node);
                }
                for (String node : NODES) {
                    awaitLog(node, "\"event\":\"ledgerCaughtUp\"", 180);
                }
                String owner = OwnerChooser.owner(IP4, NODES).orElseThrow();
                awaitLog(owner, "\"event\":\"serviceAnnounced\"", 60);

                if (neighbours != null) {
                    List<Double> plain = failover(kills);
                    neighbours.slowDown(writer);
                    List<Double> slow = failover(kills);
                    report("failover (ms), API server and BGP peers answering", plain, null, null);
                    report("failover (ms), API server 5 s late, BGP peers silent or dropping SYNs", slow, null, null);
                    System.out.printf("slow-neighbours: API answers held back %d; ratio p99 %.2f%n",
                            neighbours.delayedAnswers(), pct(slow, 99) / pct(plain, 99));
                    return;
                }
                latency(samples);
                failover(kills);
                memory(services, writer);
            } finally {
                ledger.close();
            }
        } finally {
            TempDirs.delete(data);
        }
    }

    // ---- latency: the speaker's answers vs the kernel's, same interface, same run

    static void latency(int samples) {
        String owner = OwnerChooser.owner(IP4, NODES).orElseThrow();
        List<Double> speaker = new ArrayList<>();
        List<Double> kernel = new ArrayList<>();
        List<Double> speaker6 = new ArrayList<>();
        List<Double> kernel6 = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            arpRtt(IP4).ifPresent(speaker::add);
            arpRtt(ip(owner)).ifPresent(kernel::add);
            speaker6.add(ndiscMillis(IP6));
            kernel6.add(ndiscMillis("fd00:99::" + owner.charAt(1)));
        }
        report("ARP reply RTT (arping), speaker", speaker, "kernel", kernel);
        report("NDP solicitation to answer (ndisc6 process, incl. its start), speaker", speaker6, "kernel", kernel6);
    }

    static java.util.Optional<Double> arpRtt(String ip) {
        Matcher m = RTT.matcher(lab.exec("c", "arping", "-c", "1", "-w", "1", "-I", "eth0", ip).output());
        return m.find() ? java.util.Optional.of(Double.parseDouble(m.group(1))) : java.util.Optional.empty();
    }

    static double ndiscMillis(String ip) {
        long start = System.nanoTime();
        lab.exec("c", "ndisc6", "-1", "-n", "-r", "1", "-w", "1000", ip, "eth0");
        return (System.nanoTime() - start) / 1e6;
    }

    // ---- failover: kill the owner, time until the client sees the new owner's gratuitous ARP

    static List<Double> failover(int kills) throws Exception {
        Process dump = new ProcessBuilder("ip", "netns", "exec", lab.ns("c"), "tcpdump", "-l", "-n", "-e", "-i", "eth0",
                "arp and arp[6:2] = 1 and arp[14:4] = arp[24:4]").redirectErrorStream(true).start();
        BlockingQueue<String> lines = linesOf(dump);
        List<Double> times = new ArrayList<>();
        try {
            for (int k = 0; k < kills; k++) {
                String owner = OwnerChooser.owner(IP4, NODES).orElseThrow();
                List<String> rest = new ArrayList<>(NODES);
                rest.remove(owner);
                String next = OwnerChooser.owner(IP4, rest).orElseThrow();
                lines.clear();
                Instant killed = Instant.now();
                speakers.get(owner).destroyForcibly().waitFor();
                Double ms = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (ms == null && System.nanoTime() < deadline) {
                    String line = lines.poll(1, TimeUnit.SECONDS);
                    if (line != null && line.toLowerCase().contains(mac(next)) && line.contains(IP4)) {
                        Instant seen = LocalDate.now().atTime(LocalTime.parse(line.substring(0, 15)))
                                .atZone(ZoneId.systemDefault()).toInstant();
                        ms = java.time.Duration.between(killed, seen).toNanos() / 1e6;
                    }
                }
                System.out.printf("kill %d: %s -> %s: %s%n", k + 1, owner, next, ms == null ? "no announcement within 20 s" : String.format("%.1f ms", ms));
                if (ms != null) {
                    times.add(ms);
                }
                startSpeaker(owner);
                awaitLog(owner, "\"event\":\"serviceAnnounced\"", 120, countLog(owner, "\"event\":\"serviceAnnounced\""));
                Thread.sleep(1500);
            }
        } finally {
            dump.destroy();
        }
        report("failover, kill to the new owner's first gratuitous ARP at the client (ms), defaults 100/500/1000 ms", times, null, null);
        return times;
    }

    /** The lines tcpdump prints, as they come (read on a thread of their own); returns once tcpdump had time to start. */
    static BlockingQueue<String> linesOf(Process dump) throws InterruptedException {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(dump.getInputStream()))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (Exception ignored) {
                // tcpdump stopped
            }
        });
        reader.setDaemon(true);
        reader.start();
        Thread.sleep(2000);
        return lines;
    }

    // ---- memory: a speaker following many Services vs an idle one

    static void memory(int services, LedgerWriter writer) throws Exception {
        String node = "n1";
        long idle = rssKb(speakers.get(node));
        List<Event> batch = new ArrayList<>();
        for (int i = 0; i < services; i++) {
            batch.add(assign("svc-" + i, "10.98." + (i / 250) + "." + (i % 250 + 1)));
            if (batch.size() == 1000) {
                writer.append(batch);
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            writer.append(batch);
        }
        Thread.sleep(15_000);
        long loaded = rssKb(speakers.get(node));
        System.out.printf("speaker RSS: idle %d MB, with %d more assigned Services %d MB (ratio %.2f); JVM flags %s%n",
                idle / 1024, services, loaded / 1024, (double) loaded / idle, String.join(" ", jvmFlags));
    }

    static long rssKb(Process p) throws Exception {
        return statusKb(p, "VmRSS:");
    }

    /** A size from the process's /proc/PID/status (VmRSS:, VmHWM: ...), in KB. */
    static long statusKb(Process p, String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    // ---- plumbing

    /** The speakers' JVM flags: the shipped ones ({@link SpeakerJvm}), plus what a bench adds (GC logs). */
    static List<String> jvmFlags = SpeakerJvm.options();

    /** The ports the speakers reach through the lab's relays (Kafka; the API server too with slow-neighbours). */
    static String relayPorts;
    static List<String> kubernetesArgs = List.of("--no-kubernetes");

    static void startSpeaker(String node) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), NetnsMain.class.getName(),
                lab.dir().toString(), relayPorts == null ? String.valueOf(kafkaPort) : relayPorts, "--",
                "--node-name=" + node, "--interface=eth0", "--kafka-bootstrap=127.0.0.1:" + kafkaPort,
                "--events-topic=" + ledger.config().eventsTopic(), "--snapshots-topic=" + ledger.config().snapshotsTopic(),
                "--members-bind=" + ip(node) + ":7946", "--members-seed=10.99.0.1:7946", "--members-seed=10.99.0.2:7946",
                "--metrics-port=0"));
        command.addAll(kubernetesArgs);
        speakers.put(node, lab.spawn(node, command, node + ".log"));
    }

    static int countLog(String node, String needle) {
        return lab.log(node + ".log").split(Pattern.quote(needle), -1).length - 1;
    }

    static void awaitLog(String node, String needle, int seconds) throws InterruptedException {
        awaitLog(node, needle, seconds, 0);
    }

    static void awaitLog(String node, String needle, int seconds, int moreThan) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (countLog(node, needle) <= moreThan) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(node + " did not log " + needle + ":\n" + lab.log(node + ".log"));
            }
            Thread.sleep(100);
        }
    }

    static void report(String what, List<Double> a, String referenceName, List<Double> reference) {
        if (reference == null) {
            System.out.printf("%s: n=%d p50 %.1f p99 %.1f max %.1f%n", what, a.size(), pct(a, 50), pct(a, 99), pct(a, 100));
            return;
        }
        System.out.printf("%s: n=%d p50 %.3f p99 %.3f | %s: n=%d p50 %.3f p99 %.3f | ratio p50 %.2f p99 %.2f%n",
                what, a.size(), pct(a, 50), pct(a, 99), referenceName, reference.size(), pct(reference, 50),
                pct(reference, 99), pct(a, 50) / pct(reference, 50), pct(a, 99) / pct(reference, 99));
    }

    static double pct(List<Double> values, int p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    static Event event(Event.Builder body) {
        Instant now = Instant.now();
        return body.setActor("bench").setTime(Timestamp.newBuilder().setSeconds(now.getEpochSecond())).build();
    }

    static Event assign(String service, String ip) {
        return event(Event.newBuilder().setIpAssigned(IpAssigned.newBuilder()
                .setService(ServiceRef.newBuilder().setNamespace("bench").setName(service).setUid("uid-" + service))
                .setIp(ip).setPool("p")));
    }

    static String mac(String node) {
        return "02:99:00:00:00:0" + node.charAt(1);
    }

    static String ip(String node) {
        return "10.99.0." + node.charAt(1);
    }


    private Layer2Bench() {}
}
