package io.ledgerlb.ledger.kafka;

import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reading one partition of committed records: bounds, scans, finding where a sequence number
 * sits, and the last record. Offsets and sequence numbers both grow, but not in step
 * (transaction markers take offsets too), so a sequence is found by binary search.
 */
final class EventLog {
    private static final Logger log = LoggerFactory.getLogger(EventLog.class);
    static final Duration POLL = Duration.ofMillis(200);
    /**
     * How long a transaction may stay open before a writer that has fenced its predecessors treats
     * it as one no coordinator will finish: the fenced writer's own was aborted by
     * {@code initTransactions()} already, so what is still open this long after is a hanging
     * transaction (its coordinator lost it) or another producer's.
     */
    static final Duration HANGING_AFTER = Duration.ofSeconds(15);

    private final KafkaClients clients;
    private final TopicPartition partition;

    EventLog(KafkaClients clients, String topic) {
        this.clients = clients;
        this.partition = new TopicPartition(topic, 0);
    }

    TopicPartition partition() {
        return partition;
    }

    /** A new consumer assigned to the partition, for bounded reads (every read seeks first). */
    Consumer<byte[], byte[]> open() {
        return open(false);
    }

    /** How many consumers finished bounded reads leave open for the next ones (the explorer reads in parallel). */
    private static final int IDLE_KEPT = 2;
    /** Consumers finished bounded reads left for the next ones; guarded by itself. */
    private final ArrayDeque<Consumer<byte[], byte[]>> idle = new ArrayDeque<>();
    private boolean closed;

    /**
     * A consumer for one bounded read: one a finished read left idle, or a new one. Opening a
     * consumer (its connection, metadata, fetch session) costs as much as reading tens of
     * thousands of records, and a reader such as {@code stateAt} or the speaker's staleness probe
     * reads again and again.
     */
    Lease lease() {
        Consumer<byte[], byte[]> consumer;
        synchronized (idle) {
            consumer = idle.pollFirst();
        }
        return new Lease(consumer != null ? consumer : open());
    }

    /**
     * A consumer lent for one read. It goes back for the next read only when the read called
     * {@link #keep} — it ended normally, leaving the consumer in no doubtful state (an
     * interrupted poll, an error); otherwise closing the lease closes the consumer.
     */
    final class Lease implements AutoCloseable {
        private final Consumer<byte[], byte[]> consumer;
        private boolean keep;

        private Lease(Consumer<byte[], byte[]> consumer) {
            this.consumer = consumer;
        }

        Consumer<byte[], byte[]> consumer() {
            return consumer;
        }

        /** The read ended normally: the consumer may serve the next one. */
        void keep() {
            keep = true;
        }

        @Override
        public void close() {
            if (keep) {
                synchronized (idle) {
                    if (!closed && idle.size() < IDLE_KEPT) {
                        idle.addFirst(consumer);
                        return;
                    }
                }
            }
            consumer.close();
        }
    }

    /** Closes the idle consumers; leases still out close theirs when they end. */
    void close() {
        List<Consumer<byte[], byte[]>> toClose;
        synchronized (idle) {
            closed = true;
            toClose = List.copyOf(idle);
            idle.clear();
        }
        toClose.forEach(Consumer::close);
    }

    /** A new consumer assigned to the partition; {@code live} for following the end of the log. */
    Consumer<byte[], byte[]> open(boolean live) {
        Consumer<byte[], byte[]> consumer = clients.consumer(live);
        consumer.assign(List.of(partition));
        return consumer;
    }

    long beginOffset(Consumer<byte[], byte[]> consumer) {
        return consumer.beginningOffsets(List.of(partition)).get(partition);
    }

    /** The last stable offset: the end of what read_committed readers can see now. */
    long endOffset(Consumer<byte[], byte[]> consumer) {
        return consumer.endOffsets(List.of(partition)).get(partition);
    }

    /**
     * The high watermark: the end of the log including the records of transactions still open
     * (the last stable offset stops at the first of those).
     */
    long highWatermark() {
        try (Admin admin = clients.admin()) {
            return admin.listOffsets(Map.of(partition, OffsetSpec.latest()),
                    new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).partitionResult(partition).get().offset();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof KafkaException k ? k : new KafkaException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while asking for the end of " + partition, e);
        }
    }

    /**
     * Waits until read_committed readers can see the record at {@code offset}: the coordinator
     * writes the commit markers just after a commit returns. False if that takes over the timeout.
     */
    boolean awaitVisible(Consumer<byte[], byte[]> consumer, long offset, java.time.Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (endOffset(consumer) <= offset) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }

    /**
     * Waits until every transaction open on the partition now is resolved: the last stable offset
     * reaches the high watermark seen at the call. False if that takes over the timeout.
     */
    boolean awaitSettled(Consumer<byte[], byte[]> consumer, Duration timeout) throws InterruptedException {
        return awaitResolved(consumer, highWatermark() - 1, timeout);
    }

    /**
     * Waits until read_committed readers can see {@code offset}, as {@link #awaitVisible}, for a
     * caller that holds the ledger's transactional id (every older writer fenced): a transaction
     * still open before {@code offset} after {@link #HANGING_AFTER} is aborted, since no one
     * would ever finish it and the last stable offset, and with it every reader, would stay stuck
     * behind it. Aborting commits nothing, so it cannot put an entry behind a tail already read.
     */
    boolean awaitResolved(Consumer<byte[], byte[]> consumer, long offset, Duration timeout) throws InterruptedException {
        if (awaitVisible(consumer, offset, HANGING_AFTER.compareTo(timeout) < 0 ? HANGING_AFTER : timeout)) {
            return true;
        }
        for (ProducerState open : openTransactionsBefore(offset + 1)) {
            abortHanging(open);
        }
        return awaitVisible(consumer, offset, timeout);
    }

    /** The transactions open on the partition that began before {@code offset}. */
    List<ProducerState> openTransactionsBefore(long offset) {
        try (Admin admin = clients.admin()) {
            return admin.describeProducers(List.of(partition)).partitionResult(partition).get().activeProducers()
                    .stream()
                    .filter(p -> p.currentTransactionStartOffset().isPresent()
                            && p.currentTransactionStartOffset().getAsLong() < offset)
                    .toList();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof KafkaException k ? k : new KafkaException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while asking for the open transactions of " + partition, e);
        }
    }

    /** Writes the abort marker of a transaction no coordinator will finish (KIP-664's abort). */
    private void abortHanging(ProducerState open) throws InterruptedException {
        log.error("a transaction open on {} since offset {} (producer id {}, epoch {}) is still open after {} s, though "
                + "the ledger's writers are fenced: a hanging transaction, or another producer's; aborting it, so that "
                + "nothing of it is committed and the log can be read past it. Its coordinator's view: {}", partition,
                open.currentTransactionStartOffset().getAsLong(), open.producerId(), open.producerEpoch(),
                HANGING_AFTER.toSeconds(), coordinatorView(open.producerId()));
        try (Admin admin = clients.admin()) {
            admin.abortTransaction(new AbortTransactionSpec(partition, open.producerId(), (short) open.producerEpoch(),
                    open.coordinatorEpoch().orElse(0))).all().get();
        } catch (ExecutionException e) {
            log.error("could not abort the open transaction of producer id {} on {}: {}", open.producerId(), partition,
                    e.getCause().getMessage());
        }
    }

    /**
     * What the transaction coordinators know of a producer id: each transactional id using it, its
     * state, epoch and partitions — or that none knows it (a coordinator that lost the transaction).
     * For the ERROR line of a hanging transaction, whose cause is otherwise lost with the abort.
     */
    private String coordinatorView(long producerId) {
        try (Admin admin = clients.admin()) {
            var ids = admin.listTransactions(new org.apache.kafka.clients.admin.ListTransactionsOptions()
                    .filterProducerIds(java.util.Set.of(producerId))).all().get(10, java.util.concurrent.TimeUnit.SECONDS)
                    .stream().map(org.apache.kafka.clients.admin.TransactionListing::transactionalId).toList();
            if (ids.isEmpty()) {
                return "no transactional id uses producer id " + producerId;
            }
            return admin.describeTransactions(ids).all().get(10, java.util.concurrent.TimeUnit.SECONDS).entrySet().stream()
                    .map(e -> e.getKey() + ": " + e.getValue().state() + ", producer id " + e.getValue().producerId()
                            + " epoch " + e.getValue().producerEpoch() + ", partitions " + e.getValue().topicPartitions()
                            + ", started " + e.getValue().transactionStartTimeMs().orElse(-1))
                    .toList().toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "not known (interrupted)";
        } catch (Exception e) {
            return "not known (" + e + ")";
        }
    }

    @FunctionalInterface
    interface RecordHandler {
        /** Returns false to stop the scan. */
        boolean record(ConsumerRecord<byte[], byte[]> record) throws LedgerFormatException;
    }

    /** Hands every committed record in [from, end) to the handler, in order. */
    void scan(Consumer<byte[], byte[]> consumer, long from, long end, RecordHandler handler)
            throws LedgerFormatException {
        consumer.seek(partition, from);
        while (consumer.position(partition) < end) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
            for (ConsumerRecord<byte[], byte[]> record : records) {
                if (record.offset() >= end || !handler.record(record)) {
                    return;
                }
            }
        }
    }

    @FunctionalInterface
    interface DecodedHandler {
        /** Returns false to stop the scan. */
        boolean record(ReadAhead.Decoded record) throws LedgerFormatException;
    }

    /**
     * Like {@link #scan}, with each record decoded into a ledger entry on a second thread that
     * reads ahead (see {@link ReadAhead}), while the handler works through the records before.
     */
    void scanDecoded(Consumer<byte[], byte[]> consumer, long from, long end, DecodedHandler handler)
            throws LedgerFormatException {
        try (ReadAhead records = ReadAhead.open(consumer, partition, from, end)) {
            for (ReadAhead.Batch batch = records.next(); batch != null; batch = records.next()) {
                for (ReadAhead.Decoded record : batch.records()) {
                    if (!handler.record(record)) {
                        return;
                    }
                }
            }
        }
    }

    /**
     * The offset from which reading yields {@code sequence} first (or the first later one, or the
     * end when there is none). {@code hint}, when it holds {@code sequence - 1}'s record or
     * {@code sequence}'s, saves the search.
     */
    long offsetOf(Consumer<byte[], byte[]> consumer, long sequence, long hint) {
        long lo = beginOffset(consumer);
        long hi = endOffset(consumer);
        if (sequence <= 1 || lo >= hi) {
            return lo;
        }
        if (hint >= lo && hint < hi) {
            Probe p = probe(consumer, hint, hi);
            if (p != null && p.sequence == sequence) {
                return p.offset;
            }
            if (p != null && p.sequence == sequence - 1) {
                return p.offset + 1;
            }
        }
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            Probe p = probe(consumer, mid, hi);
            if (p == null || p.sequence >= sequence) {
                hi = mid;
            } else {
                lo = p.offset + 1;
            }
        }
        return lo;
    }

    private record Probe(long offset, long sequence) {}

    /** The first decodable record at or after {@code offset}, before {@code end}. */
    private Probe probe(Consumer<byte[], byte[]> consumer, long offset, long end) {
        consumer.seek(partition, offset);
        long lastSeen = -1;
        while (consumer.position(partition) < end) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                if (record.offset() >= end) {
                    break;
                }
                lastSeen = record.offset();
                try {
                    return new Probe(record.offset(), LedgerEntry.decode(record.value()).sequence());
                } catch (LedgerFormatException undecodable) {
                    // look at the next record
                }
            }
        }
        // Nothing decodable up to the end: treat the stretch as before any sequence.
        return lastSeen < 0 ? null : new Probe(lastSeen, Long.MIN_VALUE);
    }

    /** The first committed record in [from, to), if any (from -1: the log's beginning). */
    Optional<Located> firstCommitted(Consumer<byte[], byte[]> consumer, long from, long to) throws LedgerFormatException {
        long start = Math.max(from, beginOffset(consumer));
        if (start >= to) {
            return Optional.empty();
        }
        Located[] found = new Located[1];
        scan(consumer, start, to, record -> {
            found[0] = new Located(record.offset(), record.value());
            return false;
        });
        return Optional.ofNullable(found[0]);
    }

    /** A record's position and bytes. */
    record Located(long offset, byte[] value) {}

    /** The last committed record, searching back in growing windows past aborted transactions. */
    Optional<Located> last(Consumer<byte[], byte[]> consumer) throws LedgerFormatException {
        long begin = beginOffset(consumer);
        long end = endOffset(consumer);
        long window = 16;
        long from = end;
        while (from > begin) {
            long to = from;
            from = Math.max(begin, to - window);
            Located[] found = new Located[1];
            scan(consumer, from, to, record -> {
                found[0] = new Located(record.offset(), record.value());
                return true;
            });
            if (found[0] != null) {
                return Optional.of(found[0]);
            }
            window *= 4;
        }
        return Optional.empty();
    }

    /** The record holding {@code sequence}, if the log has it. */
    Optional<Located> entryAt(Consumer<byte[], byte[]> consumer, long sequence, long hint) throws LedgerFormatException {
        long offset = offsetOf(consumer, sequence, hint);
        long end = endOffset(consumer);
        Located[] found = new Located[1];
        scan(consumer, offset, end, record -> {
            try {
                if (LedgerEntry.decode(record.value()).sequence() == sequence) {
                    found[0] = new Located(record.offset(), record.value());
                }
            } catch (LedgerFormatException undecodable) {
                // not it
            }
            return false;
        });
        return Optional.ofNullable(found[0]);
    }
}
