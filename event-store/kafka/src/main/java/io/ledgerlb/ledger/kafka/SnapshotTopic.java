package io.ledgerlb.ledger.kafka;

import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.state.StoredSnapshot;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compacted topic of snapshots, so that a consumer with no SQLite (a speaker) starts from a
 * snapshot plus the tail. Records are keyed by the events topic (compaction keeps the newest per
 * ledger); the value is the serialized state, the headers its sequence, offset and SHA-256.
 */
final class SnapshotTopic {
    private static final Logger log = LoggerFactory.getLogger(SnapshotTopic.class);
    static final String SEQUENCE = "ledgerlb.sequence";
    static final String OFFSET = "ledgerlb.offset";
    static final String SHA256 = "ledgerlb.sha256";

    private final EventLog records;
    private final String topic;
    private final byte[] key;

    SnapshotTopic(KafkaClients clients, String topic, String eventsTopic) {
        this.records = new EventLog(clients, topic);
        this.topic = topic;
        this.key = eventsTopic.getBytes(StandardCharsets.UTF_8);
    }

    /** Closes the consumers kept open for reading the topic. */
    void close() {
        records.close();
    }

    String location() {
        return "kafka:" + topic;
    }

    ProducerRecord<byte[], byte[]> record(StoredSnapshot snapshot) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(SEQUENCE, longBytes(snapshot.sequence()));
        headers.add(OFFSET, longBytes(snapshot.kafkaOffset()));
        headers.add(SHA256, snapshot.sha256());
        return new ProducerRecord<>(topic, 0, key, snapshot.state(), headers);
    }

    /** Where this ledger's snapshots sit on the topic: sequence to offset, read up to {@link #indexedTo}. */
    private final java.util.NavigableMap<Long, Long> offsets = new java.util.TreeMap<>();
    private long indexedTo;

    /**
     * The sequences of this ledger's snapshots on the topic at or before {@code maxSequence},
     * newest first: the topic is read once, then only what it gained, so that finding the snapshot
     * nearest a point does not read every snapshot again.
     */
    synchronized List<Long> sequencesNewestFirst(long maxSequence) {
        try (EventLog.Lease lease = records.lease()) {
            Consumer<byte[], byte[]> consumer = lease.consumer();
            long begin = records.beginOffset(consumer);
            offsets.values().removeIf(offset -> offset < begin); // removed by compaction or retention
            long end = records.endOffset(consumer);
            records.scan(consumer, Math.max(begin, indexedTo), end, record -> {
                if (Arrays.equals(record.key(), key)) {
                    StoredSnapshot snapshot = parse(record);
                    if (snapshot != null) {
                        offsets.put(snapshot.sequence(), record.offset());
                    }
                }
                return true;
            });
            indexedTo = end;
            lease.keep();
        } catch (LedgerFormatException impossible) {
            throw new IllegalStateException(impossible);
        }
        return List.copyOf(offsets.headMap(maxSequence, true).descendingKeySet());
    }

    /** One snapshot found by {@link #sequencesNewestFirst}; empty when the topic no longer holds it. */
    synchronized java.util.Optional<StoredSnapshot> load(long sequence) {
        Long offset = offsets.get(sequence);
        if (offset == null) {
            return java.util.Optional.empty();
        }
        StoredSnapshot[] found = {null};
        try (EventLog.Lease lease = records.lease()) {
            Consumer<byte[], byte[]> consumer = lease.consumer();
            records.scan(consumer, offset, Math.min(offset + 1, records.endOffset(consumer)), record -> {
                StoredSnapshot snapshot = record.offset() == offset && Arrays.equals(record.key(), key) ? parse(record) : null;
                found[0] = snapshot != null && snapshot.sequence() == sequence ? snapshot : null;
                return false;
            });
            lease.keep();
        } catch (LedgerFormatException impossible) {
            throw new IllegalStateException(impossible);
        }
        if (found[0] == null) {
            offsets.remove(sequence);
        }
        return java.util.Optional.ofNullable(found[0]);
    }

    /** The snapshots of this ledger on the topic (compaction may have removed older ones), newest first. */
    List<StoredSnapshot> newestFirst(long maxSequence) {
        List<StoredSnapshot> found = new ArrayList<>();
        try (Consumer<byte[], byte[]> consumer = records.open()) {
            records.scan(consumer, records.beginOffset(consumer), records.endOffset(consumer), record -> {
                if (Arrays.equals(record.key(), key)) {
                    StoredSnapshot snapshot = parse(record);
                    if (snapshot != null && snapshot.sequence() <= maxSequence) {
                        found.add(snapshot);
                    }
                }
                return true;
            });
        } catch (LedgerFormatException impossible) {
            throw new IllegalStateException(impossible);
        }
        found.sort(Comparator.comparingLong(StoredSnapshot::sequence).reversed());
        return found;
    }

    private StoredSnapshot parse(ConsumerRecord<byte[], byte[]> record) {
        Header sequence = record.headers().lastHeader(SEQUENCE);
        Header offset = record.headers().lastHeader(OFFSET);
        Header sha = record.headers().lastHeader(SHA256);
        if (sequence == null || offset == null || sha == null || sequence.value().length != Long.BYTES
                || offset.value().length != Long.BYTES || record.value() == null) {
            log.warn("skipping record at offset {} of {}: not a ledger snapshot (headers missing)", record.offset(), topic);
            return null;
        }
        return new StoredSnapshot(location(), ByteBuffer.wrap(sequence.value()).getLong(),
                ByteBuffer.wrap(offset.value()).getLong(), record.value(), sha.value());
    }

    private static byte[] longBytes(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }
}
