package io.ledgerlb.ledger.kafka;

import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
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
 * Fetches committed records on a second thread, a few polls ahead of the thread that checks the
 * chain and folds them, and shares the checks that need nothing from the records before — decoding
 * (the costliest step of reading the ledger), each entry's own hash, and a signed head's signature
 * — between the two: the fetching thread hands a chunk over, then works through its share of it
 * from its end, while the reader works from its start, each taking the records the other has not.
 * Checking links and folding must go in order, so they stay with the reader. The fetching thread's
 * share follows who waits for whom: it grows while the fetching thread finds the queue full (the
 * reader is behind) and shrinks while the reader finds it empty. Without that bound the fetching
 * thread, ahead of the reader, decoded every chunk whole before the reader reached it, and the
 * reader, left only the fold, waited for it half of the time. Between {@link #open} and
 * {@link #close} the consumer belongs to the fetching thread: the reader must not touch it
 * (except {@code wakeup}).
 */
final class ReadAhead implements AutoCloseable {
    private static final int CHUNK = 1_000;
    private static final int CHUNKS_AHEAD = 4; // few: records in flight survive young collections, and copying them is what those cost

    /**
     * One record: its entry, or why it is not one; decoded and its hash checked by whichever
     * thread takes it first — and, for a signed head, its signature checked apart, by whichever
     * thread takes that first: the reader needs it only when it settles the head's path, so it
     * never stops at a head to wait for an Ed25519 check the fetching thread is making.
     */
    static final class Decoded implements SignedChain.CheckAhead {
        private static final int NEW = 0;
        private static final int TAKEN = 1;
        private static final int DONE = 2;

        private static final VarHandle STATE;
        private static final VarHandle SIGNATURE_STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Decoded.class, "state", int.class);
                SIGNATURE_STATE = MethodHandles.lookup().findVarHandle(Decoded.class, "signatureState", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final long offset;
        private final TrustedKeys keys;
        /** NEW, TAKEN or DONE (fields, not AtomicIntegers: fewer objects per record). */
        private volatile int state = NEW;
        private volatile int signatureState = NEW;
        private byte[] value;
        private LedgerEntry entry;
        private LedgerFormatException error;
        private boolean hashValid;
        private RuntimeException failure;
        private SignedChain.SignatureCheck signatureCheck;
        private RuntimeException signatureFailure;

        private Decoded(ConsumerRecord<byte[], byte[]> record, TrustedKeys keys) {
            this.offset = record.offset();
            this.value = record.value();
            this.keys = keys;
        }

        /** Decodes the record and checks its hash unless another thread has taken it; true when this one did. */
        private boolean tryDecode() {
            if (!STATE.compareAndSet(this, NEW, TAKEN)) {
                return false;
            }
            try {
                entry = LedgerEntry.decode(value);
                hashValid = entry.hashValid(); // each hash is checkable alone
            } catch (LedgerFormatException e) {
                error = e;
            } catch (RuntimeException e) {
                failure = e; // thrown to the reader, whichever thread met it
            } finally {
                value = null;
                state = DONE;
            }
            return true;
        }

        /** Whether this is a decoded entry whose signature is to be checked. */
        private boolean signatureToCheck() {
            return state == DONE && entry != null && hashValid && entry.signed() && keys.checked();
        }

        /** Checks the signature of a decoded signed head unless another thread has taken it (each signature is checkable alone). */
        private void tryCheckSignature() {
            if (!signatureToCheck() || !SIGNATURE_STATE.compareAndSet(this, NEW, TAKEN)) {
                return;
            }
            try {
                signatureCheck = SignedChain.SignatureCheck.of(entry, keys);
            } catch (RuntimeException e) {
                signatureFailure = e;
            } finally {
                signatureState = DONE;
            }
        }

        /** The signature check: made by the fetching thread, or here when it has not begun it. */
        @Override
        public SignedChain.SignatureCheck result() {
            decoded();
            tryCheckSignature();
            awaitDone(() -> signatureState == DONE || !signatureToCheck());
            if (signatureFailure != null) {
                throw signatureFailure;
            }
            return signatureCheck;
        }

        /** Decodes the record here, or waits for the other thread to finish it. */
        private void decoded() {
            if (state != DONE && !tryDecode()) {
                awaitDone(() -> state == DONE);
            }
            if (failure != null) {
                throw failure;
            }
        }

        /** Waits for the other thread to finish one record (a decode, or one signature check). */
        private static void awaitDone(java.util.function.BooleanSupplier done) {
            for (int spins = 0; !done.getAsBoolean(); spins++) {
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

        /** Hands the record to {@code chain}: the entry with its checks (its signature's maybe still under way), or why it is none. */
        void feed(SignedChain chain) {
            decoded();
            if (entry == null) {
                chain.acceptUndecodable(error, offset);
            } else {
                chain.accept(entry, offset, hashValid, signatureToCheck() ? this : null);
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
    /** The part of each chunk the fetching thread decodes, from its end, in thousandths (see the class comment). */
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
     * Queues a batch for the reader, then decodes its share of it from its end, until meeting the
     * reader (or closed), checking each signed head's signature as soon as it is decoded, then the
     * signatures of the heads in the reader's part that the reader has not taken. A transaction's
     * head is its last entry, so the fetching thread meets it first: its check is done while the
     * reader decodes the start of the batch, not while the reader waits to settle it.
     */
    private void handOver(Batch batch) throws InterruptedException {
        Item item = new Item(batch, null);
        if (!ahead.offer(item)) {
            shareMoreAhead(); // the reader is behind: take more of its decoding
            ahead.put(item);
        }
        List<Decoded> records = batch.records();
        int first = records.size() - (int) ((long) records.size() * sharePerMille / 1_000);
        for (int i = records.size() - 1; i >= first && !closed; i--) {
            Decoded record = records.get(i);
            if (!record.tryDecode()) {
                break; // the reader got here first: it takes the rest
            }
            record.tryCheckSignature();
        }
        for (int i = 0; i < records.size() && !closed; i++) {
            records.get(i).tryCheckSignature();
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
                shareLessAhead(); // the reader waits: leave it more of the decoding
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
