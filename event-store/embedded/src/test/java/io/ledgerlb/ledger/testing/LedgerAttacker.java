package io.ledgerlb.ledger.testing;

import com.google.protobuf.ByteString;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Someone who can reach the ledger's Kafka with a plain client and no key: reads the topic, and
 * appends whatever records it likes (not in a transaction, so readers see them at once).
 */
public final class LedgerAttacker {
    private final String bootstrap;
    private final String topic;

    public LedgerAttacker(KafkaLedger ledger) {
        this.bootstrap = ledger.bootstrapServers();
        this.topic = ledger.config().eventsTopic();
    }

    /** A forged record: the sequence it claims (0: none) and the offset it landed at. */
    public record Forged(long sequence, long offset) {}

    /** Every committed record of the topic, as a read_committed reader sees it now. */
    public List<ConsumerRecord<byte[], byte[]>> records() {
        TopicPartition partition = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", bootstrap, "isolation.level", "read_committed",
                "key.deserializer", ByteArrayDeserializer.class, "value.deserializer", ByteArrayDeserializer.class))) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
            while (consumer.position(partition) < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(all::add);
            }
            return all;
        }
    }

    /** The last record, decoded. */
    public LedgerEntry tail() throws LedgerFormatException {
        List<ConsumerRecord<byte[], byte[]>> all = records();
        return LedgerEntry.decode(all.get(all.size() - 1).value());
    }

    /** The next entry after {@code tail} with this body, built as the attacker did: right sequence, right prev_hash. */
    public static LedgerEntry forgeAfter(LedgerEntry tail, Event body) {
        return LedgerEntry.seal(body.toBuilder()
                .setSequence(tail.sequence() + 1)
                .setPrevHash(ByteString.copyFrom(tail.hash()))
                .setActor(tail.event().getActor())
                .setTime(tail.event().getTime())
                .build());
    }

    public Forged append(byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                "bootstrap.servers", bootstrap,
                "key.serializer", ByteArraySerializer.class, "value.serializer", ByteArraySerializer.class))) {
            long offset = producer.send(new ProducerRecord<>(topic, 0, null, value)).get().offset();
            long sequence;
            try {
                sequence = LedgerEntry.decode(value).sequence();
            } catch (LedgerFormatException e) {
                sequence = 0;
            }
            return new Forged(sequence, offset);
        }
    }
}
