package io.ledgerlb.ledger.kafka;

import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;

/**
 * Fetches committed records on a second thread, a few polls ahead of the thread that checks the
 * chain and folds them, and shares the decoding (the costliest step of reading the ledger, and
 * one that needs nothing from the records before, as does checking each entry's own hash) between the two; checking links and folding
 * must go in order, so they stay with the reader. Between {@link #open} and {@link #close} the
 * consumer belongs to the fetching thread: the reader must not touch it (except {@code wakeup}).
 */
final class ReadAhead implements AutoCloseable {
    private static final int CHUNK = 1_000;
    private static final int CHUNKS_AHEAD = 16;

    /**
     * One record: its entry, or why it is not one. The fetching thread decodes the first half of
     * each chunk and leaves the rest to the reader, whose own share (hashes, links, folding) is
     * the smaller: on two cores both threads then have about as much to do.
     */
    static final class Decoded {
        private final long offset;
        private byte[] value;
        private LedgerEntry entry;
        private LedgerFormatException error;
        private boolean hashValid;

        private Decoded(ConsumerRecord<byte[], byte[]> record, boolean decodeNow) {
            this.offset = record.offset();
            this.value = record.value();
            if (decodeNow) {
                decode();
            }
        }

        private void decode() {
            if (value != null) {
                try {
                    entry = LedgerEntry.decode(value);
                    hashValid = entry.hashValid(); // each hash is checkable alone: on whichever thread decodes
                } catch (LedgerFormatException e) {
                    error = e;
                }
                value = null;
            }
        }

        long offset() {
            return offset;
        }

        /** The entry, or null when the record is not one (see {@link #error}). */
        LedgerEntry entry() {
            decode();
            return entry;
        }

        /** Whether the entry's hash matches its bytes (false when it is no entry). */
        boolean hashValid() {
            decode();
            return hashValid;
        }

        LedgerFormatException error() {
            decode();
            return error;
        }
    }

    /** Records in log order, and the consumer's position after them (at least). */
    record Batch(List<Decoded> records, long positionAfter) {}

    /** What the fetching thread hands over: a batch, the end, or what stopped it. */
    private record Item(Batch batch, RuntimeException failure) {}

    private static final Item END = new Item(null, null);

    private final Consumer<byte[], byte[]> consumer;
    private final TopicPartition partition;
    private final long end;
    private final BlockingQueue<Item> ahead = new ArrayBlockingQueue<>(CHUNKS_AHEAD);
    private final Thread fetcher;
    private volatile boolean closed;
    private boolean ended;

    private ReadAhead(Consumer<byte[], byte[]> consumer, TopicPartition partition, long from, long end) {
        this.consumer = consumer;
        this.partition = partition;
        this.end = end;
        consumer.seek(partition, from);
        this.fetcher = new Thread(this::fetch, "ledger-read-ahead-" + partition.topic());
        this.fetcher.setDaemon(true);
    }

    /**
     * Starts reading records at offset {@code from} up to {@code end} (exclusive;
     * {@code Long.MAX_VALUE} to follow the log). The first batch is empty and tells the start position.
     */
    static ReadAhead open(Consumer<byte[], byte[]> consumer, TopicPartition partition, long from, long end) {
        ReadAhead readAhead = new ReadAhead(consumer, partition, from, end);
        readAhead.fetcher.start();
        return readAhead;
    }

    private void fetch() {
        try {
            long position = consumer.position(partition);
            ahead.put(new Item(new Batch(List.of(), position), null));
            while (position < end) {
                ConsumerRecords<byte[], byte[]> polled = consumer.poll(EventLog.POLL);
                List<Decoded> decoded = new ArrayList<>(Math.min(polled.count(), CHUNK));
                for (ConsumerRecord<byte[], byte[]> record : polled) {
                    if (record.offset() >= end || closed) {
                        break;
                    }
                    decoded.add(new Decoded(record, decoded.size() < CHUNK / 2));
                    if (decoded.size() == CHUNK) {
                        // hand over in chunks, so that the reader starts early and a close stops the decoding soon
                        ahead.put(new Item(new Batch(decoded, record.offset() + 1), null));
                        decoded = new ArrayList<>(CHUNK);
                    }
                }
                position = consumer.position(partition);
                ahead.put(new Item(new Batch(decoded, position), null));
            }
            ahead.put(END);
        } catch (InterruptedException | InterruptException e) {
            // closed by the reader
        } catch (RuntimeException e) {
            try {
                ahead.put(new Item(null, e));
            } catch (InterruptedException closed) {
                // closed by the reader
            }
        }
    }

    /**
     * The next batch, in log order; null once the end is reached.
     *
     * @throws RuntimeException what stopped the fetching thread (a {@code KafkaException}, e.g. a wakeup)
     */
    Batch next() {
        if (ended) {
            return null;
        }
        Item item;
        try {
            item = ahead.take();
        } catch (InterruptedException e) {
            throw new InterruptException(e);
        }
        if (item.failure() != null) {
            ended = true;
            throw item.failure();
        }
        ended = item == END;
        return item.batch();
    }

    /** Stops the fetching thread and returns once it has let go of the consumer. */
    @Override
    public void close() {
        closed = true;
        fetcher.interrupt();
        boolean interrupted = false;
        while (fetcher.isAlive()) {
            try {
                fetcher.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
