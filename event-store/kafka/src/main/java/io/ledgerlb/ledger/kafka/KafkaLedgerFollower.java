package io.ledgerlb.ledger.kafka;

import io.ledgerlb.ledger.LedgerFollower;
import io.ledgerlb.ledger.LedgerListener;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.state.LedgerState;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import io.ledgerlb.ledger.event.SignedChain;
import io.ledgerlb.ledger.sign.TrustedKeys;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the ledger on one thread (with a second one fetching and decoding ahead, see
 * {@link ReadAhead}): restores the latest usable snapshot, folds the tail, then
 * folds committed entries as they arrive ({@code read_committed}), telling the listener after
 * each. Only entries a trusted signed head vouches for are folded ({@link SignedChain}); every
 * other record is passed over — logged at ERROR, counted, told to the listener — and following
 * goes on, so a record injected into the topic changes nothing and stops nothing.
 */
final class KafkaLedgerFollower implements LedgerFollower {
    private static final Logger log = LoggerFactory.getLogger(KafkaLedgerFollower.class);

    private final KafkaLedger ledger;
    private final LedgerListener listener;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition advanced = lock.newCondition();
    private volatile boolean running = true;
    private volatile Consumer<byte[], byte[]> consumer;
    private LedgerState state = new LedgerState();
    private boolean caughtUp;
    /** Where to go on reading after a lost connection: just after the verified tip. */
    private long resumeAt = -1;
    private final AtomicLong passedOver = new AtomicLong();

    KafkaLedgerFollower(KafkaLedger ledger, LedgerListener listener) {
        this.ledger = ledger;
        this.listener = listener;
        this.thread = new Thread(this::run, "ledger-follower-" + ledger.config().eventsTopic());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        boolean restored = false;
        while (running) {
            try {
                follow(restored);
                return;
            } catch (WakeupException | InterruptException e) {
                return; // closing
            } catch (KafkaException e) {
                // Kafka unreachable for longer than the clients wait: start over from what is folded.
                if (running) {
                    log.warn("ledger follower of {} lost Kafka ({}); retrying", ledger.config().eventsTopic(), e.getMessage());
                    sleep();
                }
            } catch (RuntimeException e) {
                if (running) {
                    log.error("ledger follower stopped: {}", e.getMessage(), e);
                }
                return;
            } finally {
                consumer = null;
                restored = restored || state.sequence() > 0;
            }
        }
    }

    /** Restores a snapshot (unless the state already has entries), folds the tail, then follows. */
    private void follow(boolean keepState) {
        EventLog events = ledger.events();
        TrustedKeys keys = ledger.config().trustedKeys();
        try (Consumer<byte[], byte[]> c = events.open(true)) {
            consumer = c;
            long from = keepState ? resumeAt : -1;
            if (!keepState) {
                KafkaLedger.Restored restored = ledger.restoreLatest(Long.MAX_VALUE);
                setState(restored.state());
                from = restored.nextOffset();
            }
            if (from < 0) {
                from = events.offsetOf(c, state.sequence() + 1, -1);
            }
            if (!keys.checked()) {
                log.warn("following {} WITHOUT checking signatures (no trusted keys): anyone who can write to the "
                        + "topic can forge it; give the ledger's public keys to check them", ledger.config().eventsTopic());
            }
            SignedChain chain = new SignedChain(keys, state.sequence(), state.lastHash());
            long endAtStart = events.endOffset(c);
            log.info("following {} from sequence {} (offset {})", ledger.config().eventsTopic(), state.sequence(), from);
            try (ReadAhead records = ReadAhead.open(c, events.partition(), from, Long.MAX_VALUE, keys)) {
                while (running) {
                    ReadAhead.Batch batch = records.next();
                    for (ReadAhead.Decoded record : batch.records()) {
                        record.feed(chain);
                    }
                    for (SignedChain.Verified verified : chain.settle()) {
                        if (!fold(verified.entry())) {
                            return;
                        }
                        resumeAt = verified.position() + 1;
                    }
                    chain.drainPassedOver().forEach(this::passOver);
                    if (!caughtUp && batch.positionAfter() >= endAtStart) {
                        caughtUp = true;
                        listener.caughtUp(state);
                    }
                }
            }
        }
    }

    private void passOver(SignedChain.PassedOver record) {
        passedOver.incrementAndGet();
        log.error("ledger follower of {} passed over a record, never to apply it, and goes on: {}",
                ledger.config().eventsTopic(), record);
        listener.passedOver(record);
    }

    @Override
    public long passedOver() {
        return passedOver.get();
    }

    private void sleep() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private boolean fold(LedgerEntry entry) {
        lock.lock();
        try {
            KafkaLedger.apply(state, entry);
            advanced.signalAll();
        } catch (LedgerFormatException e) {
            return broken(e);
        } finally {
            lock.unlock();
        }
        listener.applied(entry, state);
        return true;
    }

    private boolean broken(LedgerFormatException error) {
        log.error("ledger follower stops at sequence {} of {}: {}", state.sequence(), ledger.config().eventsTopic(),
                error.getMessage());
        running = false;
        listener.broken(error);
        return false;
    }

    private void setState(LedgerState restored) {
        lock.lock();
        try {
            state = restored;
            advanced.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public LedgerState state() {
        return state;
    }

    @Override
    public <T> T withState(Function<LedgerState, T> read) {
        lock.lock();
        try {
            return read.apply(state);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean awaitSequence(long sequence, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (state.sequence() < sequence) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                advanced.await(left, TimeUnit.NANOSECONDS);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the follower is still following (false after close or a broken chain). */
    @Override
    public boolean following() {
        return running && thread.isAlive();
    }

    @Override
    public void close() {
        running = false;
        Consumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
