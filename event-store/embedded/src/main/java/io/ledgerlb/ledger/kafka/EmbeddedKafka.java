package io.ledgerlb.ledger.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka (broker and controller in one) running inside this JVM, keeping its
 * data under a folder. The first start formats the folder ({@code StorageTool format
 * --standalone}) and writes the broker's configuration there, ports included; later starts on
 * the same folder reuse both, so the broker comes back with its data at the same address.
 * {@link KafkaLedger} starts one through {@link Starter} for an embedded configuration.
 */
public final class EmbeddedKafka implements LocalBroker {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final String CONFIG_FILE = "server.properties";
    private static final String PORTS_FILE = "ports.properties";
    private static final String BROKER_PORT = "broker.port";
    private static final String CONTROLLER_PORT = "controller.port";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** The client listener's name on a secured broker. */
    private static final String SECURED_LISTENER = "CLIENTS";

    private final Path dataDir;
    private final Properties config;
    /** How this process's own admin client reaches the broker (credentials when the broker asks for them). */
    private final Map<String, String> clientProperties;
    private KafkaRaftServer server;

    private EmbeddedKafka(Path dataDir, Properties config, Map<String, String> clientProperties) {
        this.dataDir = dataDir;
        this.config = config;
        this.clientProperties = Map.copyOf(clientProperties);
    }

    /** Starts a broker on {@code dataDir}, formatting it on first use; ports are chosen once and kept. */
    public static EmbeddedKafka start(Path dataDir) {
        return start(dataDir, Map.of());
    }

    /** As {@link #start(Path)}, with extra broker settings (used on first start only). */
    public static EmbeddedKafka start(Path dataDir, Map<String, String> overrides) {
        return start(dataDir, dataDir.resolve(PORTS_FILE), overrides);
    }

    /**
     * Starts a broker on {@code dataDir}, its ports remembered in {@code portsFile}: kept outside
     * the Kafka folder, they survive that folder's loss (and {@code recover} into a fresh one),
     * so clients configured with the old address find the broker again.
     */
    public static EmbeddedKafka start(Path dataDir, Path portsFile, Map<String, String> overrides) {
        return start(dataDir, portsFile, overrides, List.of(), Map.of());
    }

    /**
     * As {@link #start(Path, Path, Map)} for a broker that authenticates its clients: {@code
     * formatArguments} go to the first start's {@code StorageTool format} (e.g. {@code --add-scram
     * SCRAM-SHA-512=[name=admin,password=...]}, since KRaft keeps SCRAM users in its metadata), and
     * {@code clientProperties} are what this process's own readiness check connects with. The
     * broker's listeners come from {@code overrides}; the first listener of {@code advertised.listeners}
     * is {@link #bootstrapServers()}.
     */
    public static EmbeddedKafka start(Path dataDir, Path portsFile, Map<String, String> overrides,
                                      List<String> formatArguments, Map<String, String> clientProperties) {
        return start(dataDir, portsFile, overrides, formatArguments, clientProperties, Optional.empty());
    }

    /**
     * The embedded default's broker: as {@link #start(Path, Path, Map)}, but every client must
     * authenticate and is allowed only what {@code acls} grant. Both listeners stay on loopback at
     * their kept ports and speak SASL: the client listener takes SCRAM-SHA-512 (the allocator's
     * and the readers' users, set to {@code credentials}' passwords at every start) and PLAIN for
     * the broker's own user, the controller listener PLAIN for the broker alone. The
     * StandardAuthorizer allows the broker's user everything and no one else anything without an
     * ACL; at every start the broker's ACLs are made exactly {@code acls} (others are removed,
     * with a WARN). Passwords go to the running configuration only, never into {@code server.properties}.
     */
    public static EmbeddedKafka startSecured(Path dataDir, Path portsFile, BrokerCredentials credentials, List<AclBinding> acls) {
        EmbeddedKafka kafka = start(dataDir, portsFile, Map.of(), List.of(), credentials.brokerClient(), Optional.of(credentials));
        try {
            kafka.grant(credentials, acls);
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        return kafka;
    }

    private static EmbeddedKafka start(Path dataDir, Path portsFile, Map<String, String> overrides, List<String> formatArguments,
                                       Map<String, String> clientProperties, Optional<BrokerCredentials> secured) {
        try {
            Files.createDirectories(dataDir);
            Path configFile = dataDir.resolve(CONFIG_FILE);
            Properties config;
            if (Files.exists(configFile)) {
                config = load(configFile);
            } else {
                Properties ports = Files.exists(portsFile) ? load(portsFile) : new Properties();
                int broker = Integer.parseInt(ports.getProperty(BROKER_PORT, String.valueOf(freePort())));
                int controller = Integer.parseInt(ports.getProperty(CONTROLLER_PORT, String.valueOf(freePort())));
                config = defaultConfig(dataDir, broker, controller);
                config.putAll(overrides);
                store(config, configFile);
                format(configFile, formatArguments);
            }
            rememberPorts(config, portsFile);
            secured.ifPresent(credentials -> config.putAll(saslSettings(config, credentials)));
            EmbeddedKafka kafka = new EmbeddedKafka(dataDir, config, clientProperties);
            kafka.startServer();
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare Kafka data folder " + dataDir, e);
        }
    }

    private static void rememberPorts(Properties config, Path portsFile) throws IOException {
        Properties ports = new Properties();
        ports.setProperty(BROKER_PORT, portOf(config.getProperty("advertised.listeners")));
        ports.setProperty(CONTROLLER_PORT, portOf(config.getProperty("controller.quorum.bootstrap.servers")));
        if (!Files.exists(portsFile) || !load(portsFile).equals(ports)) {
            try (Writer out = Files.newBufferedWriter(portsFile)) {
                ports.store(out, "ledgerlb embedded Kafka ports: kept across restarts and recovery");
            }
        }
    }

    /** The listeners of {@code config}'s ports, with SASL, and the authorizer (see {@link #startSecured}). */
    private static Map<String, String> saslSettings(Properties config, BrokerCredentials credentials) {
        String broker = portOf(config.getProperty("advertised.listeners"));
        String controller = portOf(config.getProperty("controller.quorum.bootstrap.servers"));
        String brokerLogin = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + BrokerCredentials.BROKER_USER
                + "\" password=\"" + credentials.brokerPassword() + "\" user_" + BrokerCredentials.BROKER_USER + "=\""
                + credentials.brokerPassword() + "\";";
        Map<String, String> p = new HashMap<>();
        p.put("listeners", SECURED_LISTENER + "://127.0.0.1:" + broker + ",CONTROLLER://127.0.0.1:" + controller);
        p.put("advertised.listeners", SECURED_LISTENER + "://127.0.0.1:" + broker);
        p.put("listener.security.protocol.map", SECURED_LISTENER + ":SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
        p.put("inter.broker.listener.name", SECURED_LISTENER);
        p.put("sasl.mechanism.inter.broker.protocol", BrokerCredentials.BROKER_MECHANISM);
        p.put("sasl.mechanism.controller.protocol", BrokerCredentials.BROKER_MECHANISM);
        p.put("listener.name.clients.sasl.enabled.mechanisms", BrokerCredentials.CLIENT_MECHANISM + "," + BrokerCredentials.BROKER_MECHANISM);
        p.put("listener.name.clients.plain.sasl.jaas.config", brokerLogin);
        p.put("listener.name.clients.scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        p.put("listener.name.controller.sasl.enabled.mechanisms", BrokerCredentials.BROKER_MECHANISM);
        p.put("listener.name.controller.plain.sasl.jaas.config", brokerLogin);
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("super.users", "User:" + BrokerCredentials.BROKER_USER);
        p.put("allow.everyone.if.no.acl.found", "false");
        return p;
    }

    /** Sets the SCRAM users' passwords and makes the broker's ACLs exactly {@code acls}; waits until the broker applies both. */
    private void grant(BrokerCredentials credentials, List<AclBinding> acls) {
        Map<String, Object> adminConfig = new HashMap<>(clientProperties);
        adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        ScramCredentialInfo scram = new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192);
        try (Admin admin = Admin.create(adminConfig)) {
            admin.alterUserScramCredentials(List.of(
                    new UserScramCredentialUpsertion(BrokerCredentials.ALLOCATOR_USER, scram, credentials.allocatorPassword()),
                    new UserScramCredentialUpsertion(BrokerCredentials.READER_USER, scram, credentials.readerPassword())))
                    .all().get(30, TimeUnit.SECONDS);
            Collection<AclBinding> present = admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS);
            List<AclBindingFilter> others = present.stream().filter(b -> !acls.contains(b)).map(AclBinding::toFilter).toList();
            if (!others.isEmpty()) {
                log.warn("embedded Kafka had ACLs that LedgerAcls does not grant; removed: {}", others);
                admin.deleteAcls(others).all().get(30, TimeUnit.SECONDS);
            }
            List<AclBinding> missing = acls.stream().filter(b -> !present.contains(b)).toList();
            if (!missing.isEmpty()) {
                admin.createAcls(missing).all().get(30, TimeUnit.SECONDS);
            }
            // both reach the broker's authorizer and credential cache through the metadata log: a client
            // connecting before they arrive would be refused
            long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            while (!applied(admin, acls)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("embedded Kafka did not apply its users and ACLs in " + READY_TIMEOUT);
                }
                Thread.sleep(50);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot set the embedded Kafka's users and ACLs: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting the embedded Kafka's users and ACLs", e);
        }
        log.info("embedded Kafka at {}: SASL on loopback, {} ACLs (LedgerAcls)", bootstrapServers(), acls.size());
    }

    private static boolean applied(Admin admin, List<AclBinding> acls) throws InterruptedException, TimeoutException {
        try {
            return Set.copyOf(admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS)).equals(Set.copyOf(acls))
                    && admin.describeUserScramCredentials(List.of(BrokerCredentials.ALLOCATOR_USER, BrokerCredentials.READER_USER))
                    .all().get(30, TimeUnit.SECONDS).size() == 2;
        } catch (ExecutionException e) {
            return false; // a user not known to the broker yet
        }
    }

    private static String portOf(String address) {
        return address.substring(address.lastIndexOf(':') + 1);
    }

    /**
     * The one-node broker's settings (logs under {@code dataDir/kafka-logs}), sized small; also
     * the base of the chaos run's three-node cluster, which replaces the quorum and replication.
     */
    public static Properties defaultConfig(Path dataDir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", dataDir.resolve("kafka-logs").toAbsolutePath().toString());
        p.setProperty("num.partitions", "1");
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // After a kill -9 the controller takes the restarted broker for a duplicate until the killed
        // one's session expires (9 s by default): a short session makes the restart that much quicker.
        p.setProperty("broker.heartbeat.interval.ms", "1000");
        p.setProperty("broker.session.timeout.ms", "4000");
        // The cleaner's default 128 MB dedupe buffer is far more than a ledger's snapshot topic needs.
        p.setProperty("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        p.setProperty("log.cleaner.threads", "1");
        p.setProperty("num.network.threads", "2");
        p.setProperty("num.io.threads", "2");
        p.setProperty("background.threads", "2");
        return p;
    }

    private static void format(Path configFile, List<String> extraArguments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> arguments = new ArrayList<>(List.of("format", "--config", configFile.toString(),
                "--cluster-id", Uuid.randomUuid().toString(), "--standalone"));
        arguments.addAll(extraArguments);
        int rc;
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(arguments.toArray(String[]::new), print);
        }
        if (rc != 0) {
            throw new IllegalStateException("formatting Kafka storage failed: " + out.toString(StandardCharsets.UTF_8));
        }
    }

    private void startServer() {
        long started = System.nanoTime();
        server = new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
        server.startup();
        awaitReady();
        log.info("embedded Kafka ready at {} (data {}) in {} ms", bootstrapServers(), dataDir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Map<String, Object> adminConfig = new HashMap<>(clientProperties);
        adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        try (Admin admin = Admin.create(adminConfig)) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("embedded Kafka did not become ready", e);
                    }
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for embedded Kafka", e);
        }
    }

    @Override
    public String bootstrapServers() {
        String listener = config.getProperty("advertised.listeners").split(",")[0];
        return listener.substring(listener.indexOf("//") + 2);
    }

    public Path dataDir() {
        return dataDir;
    }

    public boolean running() {
        return server != null;
    }

    /** Stops the broker, keeping its data; {@link #restart()} brings it back. */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
            log.info("embedded Kafka at {} stopped", bootstrapServers());
        }
    }

    /** Starts the broker again on the same folder and ports. */
    public synchronized void restart() {
        if (server == null) {
            startServer();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** Found by {@link KafkaLedger} with {@link java.util.ServiceLoader} (META-INF/services). */
    public static final class Starter implements LocalBroker.Starter {
        @Override
        public LocalBroker start(Path dataDir, Path portsFile, BrokerCredentials credentials, List<AclBinding> acls) {
            return EmbeddedKafka.startSecured(dataDir, portsFile, credentials, acls);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        return p;
    }

    private static void store(Properties p, Path file) throws IOException {
        try (Writer out = Files.newBufferedWriter(file)) {
            p.store(out, "ledgerlb embedded Kafka: written on first start, reused on restarts");
        }
    }
}
