package io.ledgerlb.allocator.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's "Listening sockets" table against what the processes really open: an allocator
 * ({@code run --local} on the embedded default, default bind addresses) and a speaker (the
 * speaker jar, following that allocator's ledger) each in a JVM of its own; their listening TCP
 * and bound UDP sockets are read from {@code /proc/<pid>/net/*} and {@code /proc/<pid>/fd}, and
 * must be exactly the table's rows for that process, with the table's protocol and address.
 */
class SocketTableIT {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Path SPEAKER_JAR = REPO.resolve("speaker/agent/target/ledgerlb-speaker.jar");
    private static final Pattern ROW = Pattern.compile(
            "^\\| (allocator|speaker) \\| `([a-z-]+)` \\| [^|]+ \\| (tcp|udp) (\\S+):(\\S+) \\|.*$", Pattern.MULTILINE);

    /** One socket: protocol, address (as the table writes it: 0.0.0.0 for every address) and port. */
    record Socket(String protocol, String address, int port) {
        @Override
        public String toString() {
            return protocol + " " + address + ":" + port;
        }
    }

    /** A row of the table. */
    record Row(String process, String id, String protocol, String address) {}

    @Test
    void everyListeningSocketOfTheAllocatorAndTheSpeakerIsARowOfTheReadmeTable(@TempDir Path dir) throws Exception {
        assertThat(SPEAKER_JAR).as("the speaker jar (built by the speaker module's package phase)").exists();
        List<Row> rows = table();
        assertThat(rows).extracting(Row::process).contains("allocator", "speaker");

        Path data = Files.createDirectories(dir.resolve("data"));
        Map<String, Integer> allocatorPorts = new HashMap<>(Map.of("metrics", freePort(), "admin", freePort(),
                "explorer", freePort(), "local-api", freePort()));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> started = new ArrayList<>();
        try {
            Process allocator = start(started, dir.resolve("allocator.log"), java, "-Xmx384m", "-XX:+UseSerialGC",
                    "-cp", System.getProperty("java.class.path"), "io.ledgerlb.allocator.cli.LedgerlbCommand", "run",
                    "--data-dir", data.toString(), "--local", "--local-port", port(allocatorPorts, "local-api"),
                    "--metrics-port", port(allocatorPorts, "metrics"), "--admin-port", port(allocatorPorts, "admin"),
                    "--explorer-port", port(allocatorPorts, "explorer"));
            awaitOk(allocator, allocatorPorts.get("metrics"), "/readyz", dir.resolve("allocator.log"));
            Properties kafka = new Properties();
            try (var in = Files.newBufferedReader(data.resolve("kafka-ports.properties"))) {
                kafka.load(in);
            }
            allocatorPorts.put("kafka-broker", Integer.parseInt(kafka.getProperty("broker.port")));
            allocatorPorts.put("kafka-controller", Integer.parseInt(kafka.getProperty("controller.port")));
            assertSocketsMatch(allocator, expected(rows, "allocator", allocatorPorts, "127.0.0.1"));

            Path key = Files.writeString(dir.resolve("memberlist.key"), "c29ja2V0LXRhYmxlLXRlc3Qta2V5LW9mLTMyLWJ5dGVzLSEh\n");
            Map<String, Integer> speakerPorts = Map.of("metrics", freePort(), "members", freePort());
            Process speaker = start(started, dir.resolve("speaker.log"), java, "-Xmx256m", "-jar", SPEAKER_JAR.toString(),
                    "--node-name", "socket-table", "--no-kubernetes", "--exclude-interface", ".*",
                    "--kafka-bootstrap", "127.0.0.1:" + allocatorPorts.get("kafka-broker"),
                    "--kafka-properties-file", data.resolve("kafka-reader.properties").toString(),
                    "--trusted-keys", data.resolve("ledger-signing-key.pem.pub").toString(),
                    "--memberlist-key-file", key.toString(), "--members-bind", "127.0.0.1:" + speakerPorts.get("members"),
                    "--metrics-port", port(speakerPorts, "metrics"));
            // ready: it has read the ledger to its end, through the embedded broker with the readers' credentials
            awaitOk(speaker, speakerPorts.get("metrics"), "/readyz", dir.resolve("speaker.log"));
            assertSocketsMatch(speaker, expected(rows, "speaker", speakerPorts, "127.0.0.1"));
        } finally {
            for (Process p : started) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    static List<Row> table() throws IOException {
        String readme = Files.readString(REPO.resolve("README.md"));
        List<Row> rows = new ArrayList<>();
        Matcher m = ROW.matcher(readme);
        while (m.find()) {
            rows.add(new Row(m.group(1), m.group(2), m.group(3), m.group(4)));
        }
        return rows;
    }

    /** The table's sockets of {@code process}, on the ports this run gave them; {@code $HOST_IP} is {@code hostIp}. */
    private static Set<Socket> expected(List<Row> rows, String process, Map<String, Integer> ports, String hostIp) {
        Set<Socket> sockets = new TreeSet<>((a, b) -> a.toString().compareTo(b.toString()));
        for (Row row : rows) {
            if (row.process().equals(process)) {
                assertThat(ports).as("a port for the row " + process + " " + row.id()).containsKey(row.id());
                sockets.add(new Socket(row.protocol(), row.address().replace("$HOST_IP", hostIp), ports.get(row.id())));
            }
        }
        return sockets;
    }

    /** Waits until the process listens on at least the expected sockets, then requires exactly those. */
    private static void assertSocketsMatch(Process process, Set<Socket> expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Set<Socket> open = listening(process.pid());
        while (!open.containsAll(expected) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            open = listening(process.pid());
        }
        assertThat(open).as("the sockets process %d listens on", process.pid()).containsExactlyInAnyOrderElementsOf(expected);
    }

    /** The TCP sockets in LISTEN and the bound UDP sockets that belong to {@code pid}. */
    static Set<Socket> listening(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (var fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor went away while listing
                }
            }
        }
        Set<Socket> sockets = new HashSet<>();
        for (String table : List.of("tcp", "tcp6", "udp", "udp6")) {
            List<String> lines = Files.readAllLines(Path.of("/proc", String.valueOf(pid), "net", table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                boolean tcp = table.startsWith("tcp");
                if (!inodes.contains(f[9]) || (tcp && !f[3].equals("0A"))) {
                    continue; // not this process's, or a TCP socket not listening (0A: LISTEN)
                }
                String[] local = f[1].split(":");
                sockets.add(new Socket(tcp ? "tcp" : "udp", address(local[0]), Integer.parseInt(local[1], 16)));
            }
        }
        return sockets;
    }

    /** /proc's hex address (32-bit words in host order) as the table writes it; IPv4 in IPv6 as IPv4, any as 0.0.0.0. */
    private static String address(String hex) throws IOException {
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                int at = word * 8 + (3 - i) * 2;
                bytes[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        InetAddress address = InetAddress.getByAddress(bytes); // an IPv4-mapped IPv6 address comes back as IPv4
        return address.isAnyLocalAddress() ? "0.0.0.0" : address.getHostAddress();
    }

    private static Process start(List<Process> started, Path log, String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(p);
        return p;
    }

    private static void awaitOk(Process process, int port, String path, Path log) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            assertThat(process.isAlive()).as("still running; its log: %s", log).isTrue();
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5))
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            assertThat(System.nanoTime()).as("%s answers 200 within 3 minutes; log: %s", path, log).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static String port(Map<String, Integer> ports, String id) {
        return String.valueOf(ports.get(id));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
