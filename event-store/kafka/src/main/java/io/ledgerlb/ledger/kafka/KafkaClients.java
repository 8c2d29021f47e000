package io.ledgerlb.ledger.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Builds the ledger's Kafka clients: our defaults first, then the operator's properties (TLS,
 * SASL, tuning) on top, then what correctness needs (serializers, isolation, idempotence).
 */
final class KafkaClients {
    /** The largest snapshot record the writer sends (and the snapshot topic accepts). */
    static final int MAX_SNAPSHOT_BYTES = 128 * 1024 * 1024;

    private final String bootstrapServers;
    private final Map<String, String> passThrough;

    KafkaClients(String bootstrapServers, Map<String, String> passThrough) {
        this.bootstrapServers = bootstrapServers;
        this.passThrough = passThrough;
    }

    private Map<String, Object> base(Map<String, Object> defaults) {
        Map<String, Object> props = new HashMap<>(defaults);
        props.putAll(passThrough);
        props.put("bootstrap.servers", bootstrapServers);
        return props;
    }

    /**
     * A consumer for reading committed records only, with no group: callers assign and seek.
     * {@code live}: it follows the log's end, where the broker may hold a fetch until data comes;
     * otherwise it reads bounded stretches and seeks often, so the broker answers at once.
     */
    KafkaConsumer<byte[], byte[]> consumer(boolean live) {
        Map<String, Object> props = base(Map.of(
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, live ? 500 : 5,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 32 * 1024 * 1024));
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return new KafkaConsumer<>(props);
    }

    /** The writer's producer: transactional with the ledger's fixed id, so a newer one fences it. */
    KafkaProducer<byte[], byte[]> transactionalProducer(String transactionalId) {
        Map<String, Object> props = base(Map.of(
                ProducerConfig.LINGER_MS_CONFIG, 1,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                // a snapshot is one record: 100k assignments take about 10 MB
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_SNAPSHOT_BYTES,
                ProducerConfig.BUFFER_MEMORY_CONFIG, (long) MAX_SNAPSHOT_BYTES));
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new KafkaProducer<>(props);
    }

    Admin admin() {
        return Admin.create(base(Map.of()));
    }

    String bootstrapServers() {
        return bootstrapServers;
    }
}
