package io.ledgerlb.lab.demo;

import io.ledgerlb.lab.NetnsLab;
import io.ledgerlb.speaker.lab.Relay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * The article's world in network namespaces: a bridge, three nodes each running a speaker (and
 * the Service's backend), a client, a router; the allocator on this machine with its embedded
 * Kafka and local Kubernetes API, reached from the node namespaces through a Unix-socket relay.
 * Every process is tied to this JVM ({@code setpriv --pdeathsig KILL}) and recorded for
 * {@code ledgerlb lab down}.
 */
final class ArticleWorld implements AutoCloseable {
    static final String BRIDGE = "lan";
    static final String ROUTER = "router";
    static final String CLIENT = "client";
    private static final Pattern KAFKA = Pattern.compile("embedded Kafka at 127\\.0\\.0\\.1:(\\d+)");
    /** The embedded broker's readers' credentials, which the allocator's banner names. */
    private static final Pattern READERS = Pattern.compile("--kafka-properties-file (\\S+)");
    private static final String STARTED = "\"msg\":\"speaker started\"";
    private static final Pattern API = Pattern.compile("local API at http://127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern ADMIN = Pattern.compile("admin API:\\s+(127\\.0\\.0\\.1:\\d+)");

    final NetnsLab lab;
    final Topology topology = Topology.article(3);
    private final LabJars jars;
    private final LabOptions options;
    private final Process[] nodes = new Process[3];
    /** How many "speaker started" lines each node's log held when it was last started. */
    private final int[] startsBefore = new int[3];
    /** This JVM's ends of the relays: Unix sockets the node namespaces reach, forwarding to 127.0.0.1 here. */
    private final List<Relay> relays = new ArrayList<>();
    private Router router;
    private int kafkaPort;
    private String kafkaReaderProperties;
    private int apiPort;
    private String admin;

    ArticleWorld(LabJars jars, LabOptions options) throws IOException {
        this.jars = jars;
        this.options = options;
        this.lab = new NetnsLab();
        LabRegistry.record(lab);
    }

    /** The bridge, the namespaces and their addresses. */
    void build() throws IOException {
        lab.addBridge(BRIDGE);
        lab.addNamespace(ROUTER);
        lab.connect(ROUTER, "eth0", BRIDGE, "52:54:00:00:00:10", topology.routerAddress() + "/24");
        lab.addNamespace(CLIENT);
        lab.connect(CLIENT, "eth0", BRIDGE, "52:54:00:00:00:01", topology.clientAddress() + "/24");
        for (int i = 0; i < nodes.length; i++) {
            String node = topology.nodeName(i);
            lab.addNamespace(node);
            lab.connect(node, "eth0", BRIDGE, topology.nodeMac(i), topology.nodeAddresses().get(i) + "/24");
            // kube-proxy's IPVS settings: the Service IP will be a local address (on lo), but only the
            // speaker answers ARP for it, never the kernel
            lab.exec(node, "sysctl", "-q", "-w", "net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2");
            // the client's network is on the same wire: answer it directly
            lab.exec(node, "ip", "route", "add", Topology.SERVICE_NET, "dev", "eth0");
        }
        LabRegistry.record(lab);
    }

    String ns(String name) {
        return lab.ns(name);
    }

    void startRouter() throws IOException {
        router = Router.start(options.router(), lab, ROUTER, topology);
        LabRegistry.record(lab);
    }

    Router router() {
        return router;
    }

    Path dataDir() {
        return lab.dir().resolve("data");
    }

    Path kubeconfig() {
        return dataDir().resolve("kubeconfig");
    }

    String admin() {
        return admin;
    }

    /** The allocator's main job on its embedded defaults, with a local Kubernetes API; returns its banner. */
    String startAllocator() throws IOException {
        lab.spawnOnHost(tied(LabJars.java("-jar", jars.allocator().toString(), "run", "--data-dir", dataDir().toString(),
                "--local", "--metrics-port", "0", "--admin", "127.0.0.1:0", "--instance", "lab-allocator")), "allocator.log");
        LabRegistry.record(lab);
        Waits.until("the allocator to start", () -> lab.log("allocator.log").contains("allocator:"), 120,
                () -> lab.log("allocator.log"));
        String log = lab.log("allocator.log");
        kafkaPort = Integer.parseInt(find(KAFKA, log));
        kafkaReaderProperties = find(READERS, log);
        apiPort = Integer.parseInt(find(API, log));
        admin = find(ADMIN, log);
        Files.createDirectories(relayDir());
        relays.add(Relay.unixToTcp(relayDir().resolve(kafkaPort + ".sock"), kafkaPort));
        relays.add(Relay.unixToTcp(relayDir().resolve(apiPort + ".sock"), apiPort));
        return log.lines().filter(l -> !l.startsWith("{")).reduce("", (a, b) -> a + b + "\n");
    }

    /** What the node namespaces reach at 127.0.0.1 through the relay: the ledger's Kafka and the Kubernetes API. */
    private String relayedPorts() {
        return kafkaPort + "," + apiPort;
    }

    private Path relayDir() {
        return lab.dir().resolve("relay");
    }

    /** Starts node {@code i}: its speaker (and backend), and with the GoBGP backend a gobgpd beside it. */
    void startNode(int i) throws IOException {
        String node = topology.nodeName(i);
        String address = topology.nodeAddresses().get(i);
        List<String> command = new ArrayList<>(List.of("env", "LOG_LEVEL=debug", "LEDGERLB_BGP_BACKEND=" + options.backend()));
        command.addAll(LabJars.java("-cp", jars.nodeClasspath(), LabNode.class.getName(), node, "--",
                relayDir().toString(), relayedPorts(), "--",
                "--node-name=" + node, "--kafka-bootstrap=127.0.0.1:" + kafkaPort,
                "--kafka-properties-file=" + kafkaReaderProperties,
                "--kubernetes-master=http://127.0.0.1:" + apiPort,
                "--members-bind=" + address + ":7946", "--metrics-port=0"));
        IntStream.range(0, nodes.length).filter(j -> j != i)
                .forEach(j -> command.add("--members-seed=" + topology.nodeAddresses().get(j) + ":7946"));
        if (options.backend().equals("gobgp") && !gobgpdRunning(i)) {
            lab.spawn(node, tied(List.of("/usr/bin/gobgpd", "-p", "--pprof-disable", "--api-hosts", "127.0.0.1:50051")),
                    node + "-gobgpd.log");
        }
        startsBefore[i] = count(lab.log(node + ".log"), STARTED);
        nodes[i] = lab.spawn(node, tied(command), node + ".log");
        LabRegistry.record(lab);
    }

    private boolean gobgpdRunning(int i) {
        return lab.exec(topology.nodeName(i), "gobgp", "global").ok();
    }

    /** Waits until node {@code i}'s speaker has folded the ledger and joined. */
    void awaitNode(int i) {
        String log = topology.nodeName(i) + ".log";
        Waits.until(topology.nodeName(i) + "'s speaker", () -> (nodes[i].isAlive() || fail(log))
                && count(lab.log(log), STARTED) > startsBefore[i], 120, () -> lab.log(log));
    }

    private boolean fail(String log) {
        throw new IllegalStateException("the speaker stopped:\n" + lab.log(log));
    }

    private static int count(String text, String what) {
        return text.split(Pattern.quote(what), -1).length - 1;
    }

    /**
     * Node {@code i} dies as a machine does: its link goes down first (no goodbye reaches anyone,
     * no TCP reset: the router must notice by itself), then its process (speaker and backend) is killed.
     */
    void killNode(int i) throws InterruptedException {
        lab.exec(topology.nodeName(i), "ip", "link", "set", "eth0", "down");
        nodes[i].destroyForcibly();
        nodes[i].waitFor();
    }

    /** Node {@code i} boots again: its link up, its routes back, its process started. */
    void restartNode(int i) throws IOException {
        String node = topology.nodeName(i);
        lab.exec(node, "ip", "link", "set", "eth0", "up");
        lab.exec(node, "ip", "route", "replace", Topology.SERVICE_NET, "dev", "eth0");
        startNode(i);
    }

    boolean alive(int i) {
        return nodes[i] != null && nodes[i].isAlive();
    }

    /** kube-proxy's part: every node takes the Service's IP as a local address. */
    void serviceIpOnNodes(String ip) {
        for (int i = 0; i < nodes.length; i++) {
            lab.exec(topology.nodeName(i), "ip", "addr", "replace", ip + "/32", "dev", "lo");
        }
    }

    /** The node whose MAC this is. */
    Optional<Integer> nodeByMac(String mac) {
        return IntStream.range(0, nodes.length).filter(i -> topology.nodeMac(i).equalsIgnoreCase(mac)).boxed().findFirst();
    }

    Optional<Integer> nodeByName(String name) {
        return IntStream.range(0, nodes.length).filter(i -> topology.nodeName(i).equals(name)).boxed().findFirst();
    }

    String nodeLog(int i) {
        return lab.log(topology.nodeName(i) + ".log");
    }

    /** A command on this machine with the lab's KUBECONFIG; what a user types is the command without the env part. */
    NetnsLab.Result shell(String... command) {
        List<String> full = new ArrayList<>(List.of("env", "KUBECONFIG=" + kubeconfig()));
        full.addAll(List.of(command));
        return NetnsLab.execute(full);
    }

    /** {@code ledgerlb <args>}: the allocator jar's CLI. */
    NetnsLab.Result ledgerlb(String... args) {
        List<String> full = new ArrayList<>(List.of("env", "KUBECONFIG=" + kubeconfig()));
        full.addAll(LabJars.java("-jar", jars.allocator().toString()));
        full.addAll(List.of(args));
        return NetnsLab.execute(full);
    }

    /** Ties a process's life to this JVM's: if the lab is killed, its processes go too. */
    private static List<String> tied(List<String> command) {
        List<String> full = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL"));
        full.addAll(command);
        return full;
    }

    private static String find(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + pattern + " in:\n" + text);
        }
        return m.group(1);
    }

    @Override
    public void close() {
        relays.forEach(r -> {
            try {
                r.close();
            } catch (IOException ignored) {
                // the lab's folder goes next
            }
        });
        lab.close();
        LabRegistry.forget(lab);
    }
}
