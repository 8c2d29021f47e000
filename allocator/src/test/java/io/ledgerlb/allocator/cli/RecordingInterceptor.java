package io.ledgerlb.allocator.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A Kafka interceptor a test names in {@code --kafka-property interceptor.classes=...}: it records
 * the client.id of every client configured with it and the records they consumed and sent.
 */
public final class RecordingInterceptor implements ConsumerInterceptor<byte[], byte[]>, ProducerInterceptor<byte[], byte[]> {
    static final List<String> CLIENT_IDS = new CopyOnWriteArrayList<>();
    static final List<String> CONSUMED = new CopyOnWriteArrayList<>();
    static final List<String> SENT = new CopyOnWriteArrayList<>();

    private String clientId;

    static void clear() {
        CLIENT_IDS.clear();
        CONSUMED.clear();
        SENT.clear();
    }

    @Override
    public void configure(Map<String, ?> configs) {
        clientId = String.valueOf(configs.get("client.id"));
        CLIENT_IDS.add(clientId);
    }

    @Override
    public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
        records.forEach(r -> CONSUMED.add(clientId + " " + r.topic()));
        return records;
    }

    @Override
    public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
        SENT.add(clientId + " " + record.topic());
        return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

    @Override
    public void close() {}
}
