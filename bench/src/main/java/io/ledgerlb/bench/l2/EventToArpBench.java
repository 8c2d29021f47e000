package io.ledgerlb.bench.l2;

import io.ledgerlb.bench.SpeakerJvm;
import io.ledgerlb.bench.TempDirs;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.L2AdvertisementDefined;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.lab.NetnsLab;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.LedgerWriter;
import io.ledgerlb.ledger.kafka.EmbeddedKafka;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.speaker.lab.Relay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Ledger event → the owner's gratuitous ARP at a client, with three speakers following a ledger of
 * {@code services} Services (needs root, iproute2, tcpdump). The ledger is preloaded (1,000 a
 * transaction) before the speakers start, so they fold it at start; each sample then appends one
 * {@code IpAssigned} for a new IP and times from the append's return until tcpdump in the
 * client's namespace sees the owner's gratuitous ARP for that IP (the moment the IP answers on
 * the segment). The speakers run with the JVM options the speaker ships ({@code deploy/speaker.jvm-options};
 * run from the repository root). At the end each speaker's RSS (VmRSS) and peak RSS (VmHWM) are printed.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.ledgerlb.bench.l2.EventToArpBench [samples=200] [services=50000]</pre>
 *
 * <p>With {@code -Dledgerlb.bench.keepLogs=DIR} the speakers' logs and GC logs are kept in DIR.
 */
public final class EventToArpBench {
    private EventToArpBench() {}

    public static void main(String[] args) throws Exception {
        int samples = Math.min(250, args.length > 0 ? Integer.parseInt(args[0]) : 200);
        int services = Math.min(50_000, args.length > 1 ? Integer.parseInt(args[1]) : 50_000);
        if (!NetnsLab.available() || !NetnsLab.onPath("tcpdump")) {
            System.err.println("needs root, iproute2 and tcpdump");
            System.exit(2);
        }
        System.out.println("load average at start: " + Files.readString(Path.of("/proc/loadavg")).trim());
        Path keepLogs = System.getProperty("ledgerlb.bench.keepLogs") == null ? null
                : Files.createDirectories(Path.of(System.getProperty("ledgerlb.bench.keepLogs")));
        List<String> flags = new ArrayList<>(SpeakerJvm.options());
        if (keepLogs != null) {
            flags.add("-Xlog:gc:file=" + keepLogs.resolve("gc-%p.log") + ":uptime,time");
        }
        Layer2Bench.jvmFlags = List.copyOf(flags);
        Path data = Files.createTempDirectory("llb-bench-kafka-");
        try (NetnsLab lab = new NetnsLab(); EmbeddedKafka kafka = EmbeddedKafka.start(data)) {
            Layer2Bench.lab = lab;
            lab.addBridge("br0");
            for (String node : Layer2Bench.NODES) {
                lab.addNamespace(node);
                lab.connect(node, "eth0", "br0", Layer2Bench.mac(node), Layer2Bench.ip(node) + "/24", "fd00:99::" + node.charAt(1) + "/64");
            }
            lab.addNamespace("c");
            lab.connect("c", "eth0", "br0", "02:99:00:00:00:64", "10.99.0.100/24", "fd00:99::100/64");
            KafkaLedger ledger = KafkaLedger.open(LedgerConfig.external(kafka.bootstrapServers(), Map.of()));
            Layer2Bench.ledger = ledger;
            Layer2Bench.kafkaPort = Integer.parseInt(kafka.bootstrapServers().replaceAll(".*:", ""));
            try (Relay relay = Relay.unixToTcp(lab.dir().resolve(Layer2Bench.kafkaPort + ".sock"), Layer2Bench.kafkaPort);
                 LedgerWriter writer = ledger.openWriter("bench")) {
                writer.append(List.of(
                        Layer2Bench.event(Event.newBuilder().setPoolDefined(PoolDefined.newBuilder().setName("p")
                                .addAddresses("10.98.0.0/16"))),
                        Layer2Bench.event(Event.newBuilder().setL2AdvertisementDefined(L2AdvertisementDefined.newBuilder().setName("l2")))));
                List<Event> batch = new ArrayList<>();
                for (int i = 0; i < services; i++) {
                    batch.add(Layer2Bench.assign("svc-" + i, "10.98." + (i / 250) + "." + (i % 250 + 1)));
                    if (batch.size() == 1000 || i == services - 1) {
                        writer.append(batch);
                        batch = new ArrayList<>();
                    }
                }
                long spawned = System.nanoTime();
                for (String node : Layer2Bench.NODES) {
                    Layer2Bench.startSpeaker(node);
                }
                for (String node : Layer2Bench.NODES) {
                    Layer2Bench.awaitLog(node, "\"event\":\"ledgerCaughtUp\"", 600);
                }
                System.out.printf("3 speakers started -> all caught up on %,d Services: %.1f s%n", services, (System.nanoTime() - spawned) / 1e9);
                Thread.sleep(20_000); // membership settles, the first takeovers' gratuitous ARPs go out
                measure(samples, writer, lab);
                for (String node : Layer2Bench.NODES) {
                    System.out.printf("speaker %s RSS %d MB (peak %d MB)%n", node, Layer2Bench.rssKb(Layer2Bench.speakers.get(node)) / 1024,
                            Layer2Bench.statusKb(Layer2Bench.speakers.get(node), "VmHWM:") / 1024);
                    if (keepLogs != null) {
                        Files.writeString(keepLogs.resolve(node + ".log"), lab.log(node + ".log"));
                    }
                }
            } finally {
                ledger.close();
            }
        } finally {
            TempDirs.delete(data);
            System.out.println("load average at end: " + Files.readString(Path.of("/proc/loadavg")).trim());
        }
    }

    private static void measure(int samples, LedgerWriter writer, NetnsLab lab) throws Exception {
        Process dump = new ProcessBuilder("ip", "netns", "exec", lab.ns("c"), "tcpdump", "-l", "-n", "-i", "eth0",
                "arp and arp[6:2] = 1 and arp[14:4] = arp[24:4] and arp[24:2] = 0x0a62 and arp[26:1] = 230")
                .redirectErrorStream(true).start();
        BlockingQueue<String> lines = Layer2Bench.linesOf(dump);
        List<Double> times = new ArrayList<>();
        int missed = 0;
        try {
            for (int i = 0; i < samples; i++) {
                String ip = "10.98.230." + (i + 1);
                Pattern garp = Pattern.compile("who-has " + Pattern.quote(ip) + " tell " + Pattern.quote(ip) + "\\b");
                lines.clear();
                writer.append(List.of(Layer2Bench.assign("event-" + i, ip)));
                Instant appended = Instant.now();
                Double ms = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (ms == null && System.nanoTime() < deadline) {
                    String line = lines.poll(1, TimeUnit.SECONDS);
                    if (line != null && garp.matcher(line).find()) {
                        Instant seen = LocalDate.now().atTime(LocalTime.parse(line.substring(0, 15)))
                                .atZone(ZoneId.systemDefault()).toInstant();
                        ms = Duration.between(appended, seen).toNanos() / 1e6;
                    }
                }
                if (ms == null) {
                    missed++;
                    System.out.printf("no gratuitous ARP for %s within 10 s (appended %s)%n", ip, appended);
                } else {
                    times.add(ms);
                }
            }
        } finally {
            dump.destroy();
        }
        Layer2Bench.report("ledger append returned -> the owner's gratuitous ARP at the client (ms)", times, null, null);
        System.out.printf("samples without a gratuitous ARP within 10 s: %d%n", missed);
    }
}
