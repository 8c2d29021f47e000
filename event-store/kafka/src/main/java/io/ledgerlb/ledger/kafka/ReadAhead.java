package io.ledgerlb.ledger.kafka;

import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.event.RecordCheck;
import io.ledgerlb.ledger.event.SealedRecord;
import io.ledgerlb.ledger.event.SignedChain;
import io.ledgerlb.ledger.sign.TrustedKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;

/**
 * Fetches committed records on a second thread, a few polls ahead of the thread that decodes,
 * links and folds them, and shares with it the checks that need nothing but a record's own bytes
 * ({@link RecordCheck}: each entry's hash, and a signed head's signature): the fetching thread
 * hands a chunk over, then checks its share of it from its end, while the reader works from its
 * start, each taking the records the other has not. Decoding stays with the reader: made on the
 * fetching thread, each entry's dozen small objects crossed to the other core, which cost more
 * than the decoding saved there. The fetching thread's share follows who waits for whom: it grows
 * while the fetching thread finds the queue full (the reader is behind) and shrinks while the
 * reader finds it empty. Between {@link #open} and {@link #close} the consumer belongs to the
 * fetching thread: the reader must not touch it (except {@code wakeup}).
 */
final class ReadAhead implements AutoCloseable {
    private static final int CHUNK = 1_000;
    private static final int CHUNKS_AHEAD = 4; // few: records in flight survive young collections, and copying them is what those cost

    /**
     * One record: its entry, or why it is not one. Reading its parts out of the bytes
     * ({@link SealedRecord}) and the checks that need only them — its hash, and a signed head's
     * signature ({@link RecordCheck}) — are made by whichever thread takes them first; decoding the
     * event is the reader's, so that the many small objects of a decoded entry are made on the core
     * that links and folds them.
     */
    static final class Decoded {
        private static final int NEW = 0;
        private static final int TAKEN = 1;
        private static final int DONE = 2;

        private static final VarHandle CHECK_STATE;

        static {
            try {
                CHECK_STATE = MethodHandles.lookup().findVarHandle(Decoded.class, "checkState", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final long offset;
        private final TrustedKeys keys;
        private byte[] value;
        /** NEW, TAKEN or DONE (a field, not an AtomicInteger: fewer objects per record). */
        private volatile int checkState = NEW;
        /** The record's parts, read by the check; null when it is no {@code SealedEvent} ({@link #error}). */
        private SealedRecord sealed;
        /** Why the record is no entry: set by the check (no {@code SealedEvent}) or by decoding. */
        private LedgerFormatException error;
        /** The checks made on the parts; null when they are not of a shape {@link SealedRecord#check} reads (the decoded entry is checked then). */
        private RecordCheck check;
        private RuntimeException checkFailure;
        // the reader's alone
        private boolean decoded;
        private LedgerEntry entry;
        private boolean hashValid;
        private SignedChain.SignatureCheck signature;

        private Decoded(ConsumerRecord<byte[], byte[]> record, TrustedKeys keys) {
            this.offset = record.offset();
            this.value = record.value();
            this.keys = keys;
        }

        /** Reads and checks the record's bytes unless another thread has taken them; true when this one did. */
        private boolean tryCheck() {
            if (!CHECK_STATE.compareAndSet(this, NEW, TAKEN)) {
                return false;
            }
            try {
                sealed = SealedRecord.read(value);
                check = sealed.check(keys);
            } catch (LedgerFormatException e) {
                error = e;
            } catch (RuntimeException e) {
                checkFailure = e; // thrown to the reader, whichever thread met it
            } finally {
                value = null;
                CHECK_STATE.setRelease(this, DONE); // publishes the fields above to the volatile read that sees DONE, without a full fence per record
            }
            return true;
        }

        /** Decodes the record (the reader only), with the checks made here or by the fetching thread. */
        private void decoded() {
            if (decoded) {
                return;
            }
            // a record the fetching thread has checked is read, not compare-and-set: a CAS would take its line from that core exclusively
            if (checkState != DONE && !tryCheck()) {
                awaitCheck();
            }
            if (checkFailure != null) {
                throw checkFailure;
            }
            decoded = true;
            if (sealed == null) {
                return; // no SealedEvent: error says why
            }
            try {
                entry = sealed.entry();
            } catch (LedgerFormatException e) {
                error = e;
                return;
            } finally {
                sealed = null;
            }
            hashValid = check != null ? check.hashValid() : entry.hashValid();
            signature = check != null ? check.signature() : hashValid ? SignedChain.SignatureCheck.of(entry, keys) : null;
        }

        /** Waits for the fetching thread to finish the record's checks (one hash, at most one signature). */
        private void awaitCheck() {
            for (int spins = 0; checkState != DONE; spins++) {
                if (spins < 1_000) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
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
                chain.accept(entry, offset, hashValid, signature);
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
    /** The part of each chunk the fetching thread checks, from its end, in thousandths (see the class comment). */
    private volatile int sharePerMille = 500;
    private static final int SHARE_STEP = 50;
    private volatile boolean closed;
    private volatile boolean leftConsumerIdle;
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
            leftConsumerIdle = true; // done with it: nothing can interrupt a poll of it any more
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
     * Queues a batch for the reader, then checks its share of it from its end, until meeting the
     * reader (or closed). A transaction's head is its last entry, so the fetching thread meets it
     * first: its signature is checked while the reader works through the start of the batch.
     */
    private void handOver(Batch batch) throws InterruptedException {
        Item item = new Item(batch, null);
        if (!ahead.offer(item)) {
            shareMoreAhead(); // the reader is behind: take more of its checks
            ahead.put(item);
        }
        List<Decoded> records = batch.records();
        int first = records.size() - (int) ((long) records.size() * sharePerMille / 1_000);
        for (int i = records.size() - 1; i >= first && !closed; i--) {
            if (!records.get(i).tryCheck()) {
                break; // the reader got here first: it takes the rest
            }
        }
    }

    private void shareMoreAhead() {
        sharePerMille = Math.min(1_000, sharePerMille + SHARE_STEP);
    }

    private void shareLessAhead() {
        sharePerMille = Math.max(0, sharePerMille - SHARE_STEP);
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
        Item item = ahead.poll();
        try {
            if (item == null) {
                shareLessAhead(); // the reader waits: leave it more of the checks
                item = ahead.take();
            }
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

    /**
     * After {@link #close}: whether the fetching thread read up to the end and let go of the
     * consumer normally (not stopped mid-poll, nor by an error), so that it can serve another read.
     */
    boolean leftConsumerIdle() {
        return leftConsumerIdle && !fetcher.isAlive();
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
