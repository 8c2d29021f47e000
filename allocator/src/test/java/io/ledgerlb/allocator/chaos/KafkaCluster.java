package io.ledgerlb.allocator.chaos;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import io.ledgerlb.ledger.kafka.EmbeddedKafka;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

/**
 * A real "existing Kafka" for the chaos run: three KRaft nodes (broker and controller each), each
 * {@code kafka.Kafka server.properties} in a JVM of its own on loopback, formatted with one
 * cluster id and a static quorum of the three. Topics default to replication 3, min ISR 2, so the
 * ledger's topics (created without a replication factor) get them. A node can be killed with
 * {@code kill -9} and started again on its folder.
 */
public final class KafkaCluster implements AutoCloseable {
    private static final int NODES = 3;
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

    private final Path dir;
    private final int[] brokerPorts = new int[NODES];
    private final int[] controllerPorts = new int[NODES];
    private final Process[] processes = new Process[NODES];

    public KafkaCluster(Path dir) throws IOException {
        this.dir = dir;
        for (int i = 0; i < NODES; i++) {
            brokerPorts[i] = MetricsPort.free();
            controllerPorts[i] = MetricsPort.free();
        }
    }

    /** Formats the three nodes' folders, starts them and waits until all three are in the cluster. */
    public KafkaCluster start() throws Exception {
        String clusterId = Uuid.randomUuid().toString();
        for (int node = 1; node <= NODES; node++) {
            Path config = writeConfig(node);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int rc;
            try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
                rc = StorageTool.execute(new String[] {"format", "--config", config.toString(), "--cluster-id", clusterId}, print);
            }
            if (rc != 0) {
                throw new IllegalStateException("formatting node " + node + " failed: " + out.toString(StandardCharsets.UTF_8));
            }
        }
        for (int node = 1; node <= NODES; node++) {
            launch(node);
        }
        awaitBrokers(NODES);
        return this;
    }

    public String bootstrapServers() {
        List<String> servers = new ArrayList<>();
        for (int port : brokerPorts) {
            servers.add("127.0.0.1:" + port);
        }
        return String.join(",", servers);
    }

    /** The node that leads the topic's (first) partition, or -1 when it has no leader now. */
    public int leaderOf(String topic) throws Exception {
        Node leader = partition(topic).leader();
        return leader == null ? -1 : leader.id();
    }

    /** The ids of the nodes in the in-sync replica set of the topic's (first) partition. */
    public List<Integer> inSyncReplicasOf(String topic) throws Exception {
        return partition(topic).isr().stream().map(Node::id).sorted().collect(Collectors.toList());
    }

    /** The replication factor and min ISR the topic got. */
    public String replicationOf(String topic) throws Exception {
        try (Admin admin = admin()) {
            var resource = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
            String minIsr = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS)
                    .get(resource).get("min.insync.replicas").value();
            return "replicas=" + partition(topic).replicas().size() + " min.insync.replicas=" + minIsr;
        }
    }

    /** SIGKILL of one node's JVM. */
    public void kill9(int node) throws InterruptedException {
        Process p = processes[node - 1];
        p.destroyForcibly();
        p.waitFor();
    }

    /** Starts a killed node again on its folder and waits until the cluster has all three brokers. */
    public void restart(int node) throws Exception {
        launch(node);
        awaitBrokers(NODES);
    }

    /** SIGKILL of every node: the whole cluster down at once. */
    public void kill9All() throws InterruptedException {
        for (int node = 1; node <= NODES; node++) {
            kill9(node);
        }
    }

    /** Starts every node again on its folder and waits until the cluster has all three brokers. */
    public void restartAll() throws Exception {
        for (int node = 1; node <= NODES; node++) {
            launch(node);
        }
        awaitBrokers(NODES);
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : processes) {
            if (p != null && p.isAlive()) {
                p.destroy();
            }
        }
        for (Process p : processes) {
            if (p != null && !p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor();
            }
        }
    }

    private TopicPartitionInfo partition(String topic) throws Exception {
        try (Admin admin = admin()) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            return d.partitions().get(0);
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
    }

    private void awaitBrokers(int count) throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            for (int i = 0; i < NODES; i++) {
                if (processes[i] != null && !processes[i].isAlive()) {
                    throw new IllegalStateException("Kafka node " + (i + 1) + " exited with " + processes[i].exitValue()
                            + "; see " + dir.resolve("node-" + (i + 1) + ".log"));
                }
            }
            try (Admin admin = admin()) {
                if (admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size() >= count) {
                    return;
                }
            } catch (Exception notYet) {
                // a node still starting
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the Kafka cluster did not have " + count + " brokers within " + READY_TIMEOUT);
            }
            Thread.sleep(500);
        }
    }

    private void launch(int node) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        processes[node - 1] = new ProcessBuilder(List.of(java, "-Xmx320m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "kafka.Kafka", configFile(node).toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node-" + node + ".log").toFile()))
                .start();
    }

    private Path configFile(int node) {
        return dir.resolve("node-" + node + ".properties");
    }

    private Path writeConfig(int node) throws IOException {
        List<String> voters = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            voters.add((i + 1) + "@127.0.0.1:" + controllerPorts[i]);
        }
        // the embedded broker's small settings, with a quorum of three and what an operator's cluster for the
        // ledger would have: every topic on all three nodes, two in sync to acknowledge a write
        Properties p = EmbeddedKafka.defaultConfig(dir.resolve("node-" + node), brokerPorts[node - 1], controllerPorts[node - 1]);
        p.remove("controller.quorum.bootstrap.servers");
        p.setProperty("node.id", String.valueOf(node));
        p.setProperty("controller.quorum.voters", String.join(",", voters));
        for (String topic : List.of("offsets.topic", "transaction.state.log", "share.coordinator.state.topic")) {
            p.setProperty(topic + ".replication.factor", "3");
        }
        for (String topic : List.of("transaction.state.log", "share.coordinator.state.topic")) {
            p.setProperty(topic + ".min.isr", "2");
        }
        p.setProperty("default.replication.factor", "3");
        p.setProperty("min.insync.replicas", "2");
        Files.createDirectories(dir);
        Path file = configFile(node);
        try (OutputStream out = Files.newOutputStream(file)) {
            p.store(out, "ledgerlb chaos: Kafka node " + node);
        }
        return file;
    }
}
