package io.ledgerlb.allocator.explorer;

import io.ledgerlb.ledger.LedgerFollower;
import io.ledgerlb.ledger.LedgerListener;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.state.LedgerState;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger as it moves: a follower folds every committed entry into its own state (on a
 * standby allocator too, which holds no state of its own), and the live feed's readers wait here
 * for the head to move.
 */
public final class LiveHead implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveHead.class);

    private final LedgerFollower follower;
    private final Object moved = new Object();
    private volatile long sequence;
    private volatile Optional<String> broken = Optional.empty();

    public LiveHead(KafkaLedger ledger) {
        this.follower = ledger.follow(new LedgerListener() {
            @Override
            public void applied(LedgerEntry entry, LedgerState state) {
                sequence = entry.sequence();
                synchronized (moved) {
                    moved.notifyAll();
                }
            }

            @Override
            public void caughtUp(LedgerState state) {
                sequence = state.sequence();
            }

            @Override
            public void broken(LedgerFormatException error) {
                log.error("explorer: the ledger's live view stopped: {}", error.getMessage());
                broken = Optional.of(error.getMessage());
                synchronized (moved) {
                    moved.notifyAll();
                }
            }
        });
    }

    public <T> T withState(Function<LedgerState, T> read) {
        return follower.withState(read);
    }

    public long sequence() {
        return sequence;
    }

    /** Why the live view stopped (a record that does not continue the chain), if it did. */
    public Optional<String> broken() {
        return broken;
    }

    /** Why the live view does not follow the ledger (its chain broken, its follower's thread ended); empty while it does. */
    public Optional<String> problem() {
        return broken.isPresent() ? broken.map(b -> "the explorer's live view stopped at a broken chain: " + b)
                : follower.following() ? Optional.empty() : Optional.of("the explorer's ledger follower stopped");
    }

    /** Waits until the head passes {@code seen} or the timeout passes; returns the head. */
    public long awaitPast(long seen, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (moved) {
            for (long left = timeoutMillis; sequence <= seen && broken.isEmpty() && left > 0;
                    left = deadline - System.currentTimeMillis()) {
                moved.wait(left);
            }
        }
        return sequence;
    }

    @Override
    public void close() {
        follower.close();
    }
}
