package io.ledgerlb.allocator.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ledgerlb.allocator.cli.LedgerlbCommand;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.kafka.EmbeddedKafka;
import io.ledgerlb.ledger.kafka.KafkaClientOptions;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.kafka.KafkaLedgerWriter;
import io.ledgerlb.ledger.kafka.LedgerAcls;
import io.ledgerlb.ledger.sign.SigningKey;
import io.ledgerlb.ledger.testing.SampleEvents;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 11 item 5 against a real broker: a KRaft Kafka on loopback with a SASL_SSL listener
 * (SCRAM-SHA-512 over TLS, the broker's certificate made by keytool), the StandardAuthorizer,
 * and the ACLs of {@link LedgerAcls#deployed()}, which deploy/ grants the allocator and the speakers
 * ({@link LedgerAclsDeployTest}). The allocator's credentials write the
 * ledger under its transactional id; the speaker's read it but can neither produce nor take the
 * writer's transactional id; a user without ACLs, a wrong password and a client without SASL get
 * nothing. The processes get their credentials the one way every ledgerlb client does
 * ({@code --kafka-properties-file} / {@code --kafka-property}).
 */
class KafkaAclTest {
    private static final String PASSWORD_ALLOCATOR = "allocator-secret";
    private static final String PASSWORD_SPEAKER = "speaker-secret";
    private static final String PASSWORD_ADMIN = "admin-secret";
    private static final String PASSWORD_INTRUDER = "intruder-secret";

    @TempDir
    static Path dir;
    private static EmbeddedKafka broker;
    private static Path brokerCertificate;
    private static final SigningKey KEY = SigningKey.generate();

    @BeforeAll
    static void startSecuredBroker() throws Exception {
        Path keystore = dir.resolve("broker.p12");
        brokerCertificate = dir.resolve("broker.crt");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-keypass", "changeit");
        keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-file", brokerCertificate.toString());

        int brokerPort = freePort();
        int controllerPort = freePort();
        Map<String, String> settings = new HashMap<>();
        settings.put("listeners", "SASL_SSL://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        settings.put("advertised.listeners", "SASL_SSL://127.0.0.1:" + brokerPort);
        settings.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        settings.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
        settings.put("inter.broker.listener.name", "SASL_SSL");
        settings.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        settings.put("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
        settings.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", jaas("admin", PASSWORD_ADMIN));
        settings.put("ssl.keystore.location", keystore.toString());
        settings.put("ssl.keystore.type", "PKCS12");
        settings.put("ssl.keystore.password", "changeit");
        settings.put("ssl.key.password", "changeit");
        settings.put("ssl.truststore.location", brokerCertificate.toString());
        settings.put("ssl.truststore.type", "PEM");
        settings.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        // the controller listener is plaintext on loopback only (as in deploy/kafka.yaml): the broker part reaches it as ANONYMOUS
        settings.put("super.users", "User:admin;User:ANONYMOUS");
        List<String> users = new ArrayList<>();
        for (String[] user : List.of(new String[] {"admin", PASSWORD_ADMIN}, new String[] {"ledgerlb-allocator", PASSWORD_ALLOCATOR},
                new String[] {"ledgerlb-speaker", PASSWORD_SPEAKER}, new String[] {"intruder", PASSWORD_INTRUDER})) {
            users.addAll(List.of("--add-scram", "SCRAM-SHA-512=[name=" + user[0] + ",password=" + user[1] + "]"));
        }
        broker = EmbeddedKafka.start(dir.resolve("kafka"), dir.resolve("ports.properties"), settings, users,
                client("admin", PASSWORD_ADMIN));
        try (Admin admin = Admin.create(withBootstrap(client("admin", PASSWORD_ADMIN)))) {
            admin.createAcls(LedgerAcls.deployed()).all().get(30, TimeUnit.SECONDS);
        }
        // the allocator makes the ledger's topics (as on a first start) and writes under its transactional id
        try (KafkaLedger ledger = KafkaLedger.open(allocator()); KafkaLedgerWriter writer = ledger.openWriter("allocator")) {
            writer.append(List.of(SampleEvents.pool("p", "10.99.0.0/16")));
            writer.append(List.of(SampleEvents.assign("s1", "10.99.0.1")));
        }
    }

    /** The allocator's ledger: deploy/'s topic names, which the ACLs name. */
    private static LedgerConfig allocator() {
        return LedgerConfig.external(broker.bootstrapServers(), client("ledgerlb-allocator", PASSWORD_ALLOCATOR)).withSigningKey(KEY);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theAllocatorWritesUnderItsTransactionalIdAndTheSpeakerReadsButCannotWrite() throws Exception {
        LedgerConfig allocator = allocator();
        // the speaker reads with its own credentials, given as a properties file the way every ledgerlb process takes one
        Path speakerFile = propertiesFile("speaker.properties", client("ledgerlb-speaker", PASSWORD_SPEAKER));
        LedgerConfig speaker = LedgerConfig.external(broker.bootstrapServers(), KafkaClientOptions.merge(speakerFile, Map.of()))
                .withTrustedKeys(io.ledgerlb.ledger.sign.TrustedKeys.of(KEY.publicKey()));
        List<LedgerEntry> read = new ArrayList<>();
        try (KafkaLedger ledger = KafkaLedger.open(speaker)) {
            ledger.read(1, read::add);
        }
        assertThat(read).extracting(LedgerEntry::sequence).startsWith(1L, 2L);

        Map<String, Object> speakerProducer = producer(client("ledgerlb-speaker", PASSWORD_SPEAKER));
        try (KafkaProducer<byte[], byte[]> idempotent = new KafkaProducer<>(speakerProducer)) {
            assertThatThrownBy(() -> idempotent.send(new ProducerRecord<>(allocator.eventsTopic(), new byte[] {1})).get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(ClusterAuthorizationException.class); // no IdempotentWrite
        }
        Map<String, Object> plainProducer = new HashMap<>(speakerProducer);
        plainProducer.put("enable.idempotence", false);
        plainProducer.put("acks", "1");
        try (KafkaProducer<byte[], byte[]> plain = new KafkaProducer<>(plainProducer)) {
            assertThatThrownBy(() -> plain.send(new ProducerRecord<>(allocator.eventsTopic(), new byte[] {1})).get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(TopicAuthorizationException.class); // no Write on the topic
        }
        speakerProducer.put("transactional.id", allocator.transactionalId());
        try (KafkaProducer<byte[], byte[]> thief = new KafkaProducer<>(speakerProducer)) {
            assertThatThrownBy(thief::initTransactions).isInstanceOf(TransactionalIdAuthorizationException.class);
        }

        // the speaker's failed attempts changed nothing: the allocator writes on, still the writer of its transactional id
        try (KafkaLedger ledger = KafkaLedger.open(allocator); KafkaLedgerWriter writer = ledger.openWriter("allocator")) {
            writer.append(List.of(SampleEvents.assign("s2", "10.99.0.2")));
        }
    }

    @Test
    void aUserWithoutAclsGetsNothingAndNeitherDoesAWrongPasswordOrNoSasl() throws Exception {
        LedgerConfig allocator = allocator();
        Map<String, Object> intruder = consumer(client("intruder", PASSWORD_INTRUDER));
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(intruder)) {
            TopicPartition events = new TopicPartition(allocator.eventsTopic(), 0);
            reader.assign(List.of(events));
            reader.seekToBeginning(List.of(events));
            assertThatThrownBy(() -> reader.poll(java.time.Duration.ofSeconds(10))).isInstanceOf(TopicAuthorizationException.class);
        }
        Map<String, Object> intruderProducer = producer(client("intruder", PASSWORD_INTRUDER));
        intruderProducer.put("transactional.id", allocator.transactionalId());
        try (KafkaProducer<byte[], byte[]> thief = new KafkaProducer<>(intruderProducer)) {
            assertThatThrownBy(thief::initTransactions).isInstanceOf(TransactionalIdAuthorizationException.class);
        }

        Map<String, Object> wrongPassword = consumer(client("ledgerlb-allocator", "guessed"));
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(wrongPassword)) {
            assertThatThrownBy(() -> reader.partitionsFor(allocator.eventsTopic(), java.time.Duration.ofSeconds(10)))
                    .isInstanceOf(SaslAuthenticationException.class);
        }
        // TLS without SASL: the listener answers nothing before authentication
        Map<String, Object> noSasl = withBootstrap(Map.of("security.protocol", "SSL", "ssl.truststore.type", "PEM",
                "ssl.truststore.location", brokerCertificate.toString()));
        noSasl.put("default.api.timeout.ms", 3_000);
        noSasl.put("request.timeout.ms", 3_000);
        try (Admin anonymous = Admin.create(noSasl)) {
            assertThatThrownBy(() -> anonymous.listTopics().names().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        }
    }

    @Test
    void theCliTakesTheSamePropertiesFileAndAuditsWithTheSpeakersReadOnlyCredentials() throws Exception {
        Path trusted = dir.resolve("trusted.pem");
        Files.writeString(trusted, KEY.publicKeyPem());
        Map<String, String> speakerCredentials = client("ledgerlb-speaker", PASSWORD_SPEAKER);
        String jaas = speakerCredentials.remove("sasl.jaas.config");
        Path file = propertiesFile("cli.properties", speakerCredentials);
        Path data = Files.createDirectories(dir.resolve("cli-data"));
        String[] args = {"audit", "--ip", "10.99.0.1", "--direct", "--kafka-bootstrap", broker.bootstrapServers(),
                "--data-dir", data.toString(), "--trusted-keys", trusted.toString(),
                "--kafka-properties-file", file.toString(), "--kafka-property", "sasl.jaas.config=" + jaas};
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = LedgerlbCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute(args)).as(err.toString()).isZero();
        assertThat(out.toString()).contains("default/s1");
    }

    private static Map<String, String> client(String user, String password) {
        Map<String, String> p = new HashMap<>();
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", "SCRAM-SHA-512");
        p.put("sasl.jaas.config", jaas(user, password));
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.location", brokerCertificate.toString());
        return p;
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    private static Map<String, Object> withBootstrap(Map<String, String> properties) {
        Map<String, Object> p = new HashMap<>(properties);
        p.put("bootstrap.servers", broker.bootstrapServers());
        return p;
    }

    private static Map<String, Object> producer(Map<String, String> properties) {
        Map<String, Object> p = withBootstrap(properties);
        p.put("key.serializer", ByteArraySerializer.class);
        p.put("value.serializer", ByteArraySerializer.class);
        p.put("max.block.ms", 30_000);
        return p;
    }

    private static Map<String, Object> consumer(Map<String, String> properties) {
        Map<String, Object> p = withBootstrap(properties);
        p.put("key.deserializer", ByteArrayDeserializer.class);
        p.put("value.deserializer", ByteArrayDeserializer.class);
        return p;
    }

    private static Path propertiesFile(String name, Map<String, String> properties) throws IOException {
        java.util.Properties p = new java.util.Properties();
        p.putAll(properties);
        Path file = dir.resolve(name);
        try (var out = Files.newBufferedWriter(file)) {
            p.store(out, "test client " + Instant.now());
        }
        return file;
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(output).isZero();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
