package io.ledgerlb.ledger.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.sign.TrustedKeys;
import io.ledgerlb.ledger.testing.SampleEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default's broker (issue 11): a data folder first run by the old plaintext broker is
 * taken over on the same port with SASL and {@link LedgerAcls}; the allocator writes with its
 * credentials; a client without SASL or with a wrong password gets nothing; the readers'
 * credentials ({@value BrokerCredentials#READER_FILE_NAME}) read the ledger but can neither
 * produce to it nor take the allocator's transactional id; a restart keeps the passwords and the
 * port and removes an ACL someone added.
 */
class EmbeddedBrokerAuthTest {

    @Test
    void theEmbeddedDefaultAuthenticatesEveryClientAndGrantsOnlyTheLedgersAcls(@TempDir Path dir) throws Exception {
        // a data folder of the plaintext broker, as every earlier version made it
        String plaintextAddress;
        try (EmbeddedKafka old = EmbeddedKafka.start(dir.resolve("kafka"), dir.resolve(KafkaLedger.EMBEDDED_PORTS_FILE), Map.of())) {
            plaintextAddress = old.bootstrapServers();
        }

        LedgerConfig config = LedgerConfig.embedded(dir);
        String address;
        try (KafkaLedger ledger = KafkaLedger.open(config); KafkaLedgerWriter writer = ledger.openWriter("allocator")) {
            address = ledger.bootstrapServers();
            assertThat(address).isEqualTo(plaintextAddress);
            writer.append(List.of(SampleEvents.pool("p", "10.99.0.0/16")));
            writer.append(List.of(SampleEvents.assign("s1", "10.99.0.1")));

            for (String file : List.of(BrokerCredentials.FILE_NAME, BrokerCredentials.READER_FILE_NAME)) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(file)))).as(file).isEqualTo("rw-------");
            }
            Map<String, String> reader = KafkaClientOptions.merge(dir.resolve(BrokerCredentials.READER_FILE_NAME), Map.of());

            // the readers' file reads the signed ledger, as a speaker or `audit --kafka-properties-file` does
            LedgerConfig readerConfig = LedgerConfig.external(address, reader).withTrustedKeys(TrustedKeys.of(config.signingKey().orElseThrow().publicKey()));
            List<LedgerEntry> read = new ArrayList<>();
            try (KafkaLedger readerLedger = KafkaLedger.open(readerConfig)) {
                readerLedger.read(1, read::add);
            }
            assertThat(read).extracting(LedgerEntry::sequence).containsExactly(1L, 2L);

            // ... but cannot write, idempotently or not, nor take the allocator's transactional id
            try (KafkaProducer<byte[], byte[]> idempotent = new KafkaProducer<>(producer(address, reader))) {
                assertThatThrownBy(() -> idempotent.send(new ProducerRecord<>(config.eventsTopic(), new byte[] {1})).get(30, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(ClusterAuthorizationException.class);
            }
            Map<String, Object> plain = producer(address, reader);
            plain.put("enable.idempotence", false);
            plain.put("acks", "1");
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(plain)) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(config.eventsTopic(), new byte[] {1})).get(30, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(TopicAuthorizationException.class);
            }
            Map<String, Object> thief = producer(address, reader);
            thief.put("transactional.id", config.transactionalId());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(thief)) {
                assertThatThrownBy(producer::initTransactions).isInstanceOf(TransactionalIdAuthorizationException.class);
            }

            // a client without SASL, and one with a wrong password, get nothing at all
            Map<String, Object> anonymous = new HashMap<>(Map.of("bootstrap.servers", address,
                    "default.api.timeout.ms", 3_000, "request.timeout.ms", 3_000));
            try (Admin admin = Admin.create(anonymous)) {
                assertThatThrownBy(() -> admin.listTopics().names().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            }
            Map<String, String> guessed = new HashMap<>(reader);
            guessed.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                    + BrokerCredentials.ALLOCATOR_USER + "\" password=\"guessed\";");
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumer(address, guessed))) {
                assertThatThrownBy(() -> consumer.partitionsFor(config.eventsTopic(), Duration.ofSeconds(10)))
                        .isInstanceOf(SaslAuthenticationException.class);
            }

            // someone with the broker's own password grants the readers a write; the next start takes it back
            try (Admin admin = Admin.create(admin(address, dir))) {
                admin.createAcls(List.of(strayWrite(config))).all().get(30, TimeUnit.SECONDS);
            }
        }

        String readerFile = Files.readString(dir.resolve(BrokerCredentials.READER_FILE_NAME));
        try (KafkaLedger again = KafkaLedger.open(config); KafkaLedgerWriter writer = again.openWriter("allocator")) {
            assertThat(again.bootstrapServers()).isEqualTo(address);
            writer.append(List.of(SampleEvents.assign("s2", "10.99.0.2")));
            try (Admin admin = Admin.create(admin(address, dir))) {
                assertThat(Set.copyOf(admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS)))
                        .isEqualTo(Set.copyOf(LedgerAcls.of(config)));
            }
        }
        assertThat(Files.readString(dir.resolve(BrokerCredentials.READER_FILE_NAME))).isEqualTo(readerFile);
    }

    private static AclBinding strayWrite(LedgerConfig config) {
        return new AclBinding(new ResourcePattern(ResourceType.TOPIC, config.eventsTopic(), PatternType.LITERAL),
                new AccessControlEntry(LedgerAcls.READER, "*", AclOperation.WRITE, AclPermissionType.ALLOW));
    }

    private static Map<String, Object> admin(String address, Path dir) {
        return withAddress(address, BrokerCredentials.loadOrGenerate(dir).brokerClient());
    }

    private static Map<String, Object> producer(String address, Map<String, String> client) {
        Map<String, Object> p = withAddress(address, client);
        p.put("key.serializer", ByteArraySerializer.class);
        p.put("value.serializer", ByteArraySerializer.class);
        p.put("max.block.ms", 30_000);
        return p;
    }

    private static Map<String, Object> consumer(String address, Map<String, String> client) {
        Map<String, Object> p = withAddress(address, client);
        p.put("key.deserializer", ByteArrayDeserializer.class);
        p.put("value.deserializer", ByteArrayDeserializer.class);
        return p;
    }

    private static Map<String, Object> withAddress(String address, Map<String, String> client) {
        Map<String, Object> p = new HashMap<>(client);
        p.put("bootstrap.servers", address);
        return p;
    }
}
