package io.ledgerlb.ledger.kafka;

import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.event.SignedChain;
import io.ledgerlb.ledger.sign.TrustedKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;

/**
 * Fetches committed records on a second thread, a few polls ahead of the thread that checks the
 * chain and folds them, and shares the checks that need nothing from the records before — decoding
 * (the costliest step of reading the ledger), each entry's own hash, and a signed head's signature
 * — between the two: the fetching thread hands a chunk over, then works through it from its end,
 * while the reader works from its start, each taking the records the other has not; so on two
 * cores both threads stay busy whichever has more to do. Checking links and folding must go in
 * order, so they stay with the reader. Between {@link #open} and {@link #close} the consumer
 * belongs to the fetching thread: the reader must not touch it (except {@code wakeup}).
 */
final class ReadAhead implements AutoCloseable {
    private static final int CHUNK = 1_000;
    private static final int CHUNKS_AHEAD = 16;

    /** One record: its entry, or why it is not one; decoded and checked by whichever thread takes it first. */
    static final class Decoded {
        private static final int NEW = 0;
        private static final int TAKEN = 1;
        private static final int DONE = 2;

        private final long offset;
        private final TrustedKeys keys;
        private final AtomicInteger state = new AtomicInteger(NEW);
        private byte[] value;
        private LedgerEntry entry;
        private LedgerFormatException error;
        private boolean hashValid;
        private SignedChain.SignatureCheck signatureCheck;
        private RuntimeException failure;

        private Decoded(ConsumerRecord<byte[], byte[]> record, TrustedKeys keys) {
            this.offset = record.offset();
            this.value = record.value();
            this.keys = keys;
        }

        /** Decodes and checks the record unless another thread has taken it; true when this one did. */
        private boolean tryDecode() {
            if (!state.compareAndSet(NEW, TAKEN)) {
                return false;
            }
            try {
                entry = LedgerEntry.decode(value);
                hashValid = entry.hashValid(); // each hash is checkable alone
                signatureCheck = hashValid ? SignedChain.SignatureCheck.of(entry, keys) : null; // so is each signature
            } catch (LedgerFormatException e) {
                error = e;
            } catch (RuntimeException e) {
                failure = e; // thrown to the reader, whichever thread met it
            } finally {
                value = null;
                state.set(DONE);
            }
            return true;
        }

        /** Decodes the record here, or waits for the other thread to finish it. */
        private void decoded() {
            if (state.get() != DONE && !tryDecode()) {
                for (int spins = 0; state.get() != DONE; spins++) { // one record, at most one signature check
                    if (spins < 10_000) {
                        Thread.onSpinWait();
                    } else {
                        Thread.yield();
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        }

        long offset() {
            return offset;
        }

        /** The entry, or null when the record is not one (see {@link #error}). */
        LedgerEntry entry() {
            decoded();
            return entry;
        }

        /** Whether the entry's hash matches its bytes (false when it is no entry). */
        boolean hashValid() {
            decoded();
            return hashValid;
        }

        LedgerFormatException error() {
            decoded();
            return error;
        }

        /** Hands the record to {@code chain}: the entry with its checks, or why it is none. */
        void feed(SignedChain chain) {
            decoded();
            if (entry == null) {
                chain.acceptUndecodable(error, offset);
            } else {
                chain.accept(entry, offset, hashValid, signatureCheck);
            }
        }
    }

    /** Records in log order, and the consumer's position after them (at least). */
    record Batch(List<Decoded> records, long positionAfter) {}

    /** What the fetching thread hands over: a batch, the end, or what stopped it. */
    private record Item(Batch batch, RuntimeException failure) {}

    private static final Item END = new Item(null, null);

    private final Consumer<byte[], byte[]> consumer;
    private final TopicPartition partition;
    private final TrustedKeys keys;
    private final long end;
    private final BlockingQueue<Item> ahead = new ArrayBlockingQueue<>(CHUNKS_AHEAD);
    private final Thread fetcher;
    private volatile boolean closed;
    private boolean ended;

    private ReadAhead(Consumer<byte[], byte[]> consumer, TopicPartition partition, long from, long end, TrustedKeys keys) {
        this.consumer = consumer;
        this.partition = partition;
        this.keys = keys;
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
        return open(consumer, partition, from, end, TrustedKeys.UNCHECKED);
    }

    /** As above, checking signed heads' signatures ahead with {@code keys} (the keys the reader's chain starts with). */
    static ReadAhead open(Consumer<byte[], byte[]> consumer, TopicPartition partition, long from, long end, TrustedKeys keys) {
        ReadAhead readAhead = new ReadAhead(consumer, partition, from, end, keys);
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
                    decoded.add(new Decoded(record, keys));
                    if (decoded.size() == CHUNK) {
                        // hand over in chunks, so that the reader starts early and a close stops the decoding soon
                        handOver(new Batch(decoded, record.offset() + 1));
                        decoded = new ArrayList<>(CHUNK);
                    }
                }
                position = consumer.position(partition);
                handOver(new Batch(decoded, position));
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

    /** Queues a batch for the reader, then decodes it from its end until meeting the reader (or closed). */
    private void handOver(Batch batch) throws InterruptedException {
        ahead.put(new Item(batch, null));
        List<Decoded> records = batch.records();
        for (int i = records.size() - 1; i >= 0 && !closed; i--) {
            if (!records.get(i).tryDecode()) {
                return; // the reader got here first: it takes the rest
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
