package io.ledgerlb.allocator.chaos;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code /readyz} watched, not checked once: sampled every 200 ms on a thread of its own until
 * closed, each answer kept with the time it was asked.
 */
final class ReadyzWatch implements AutoCloseable {
    record Sample(long at, boolean ready) {}

    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean watching = true;

    ReadyzWatch(BooleanSupplier ready) {
        thread = new Thread(() -> {
            while (watching) {
                long at = System.nanoTime();
                samples.add(new Sample(at, ready.getAsBoolean()));
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "chaos-readyz");
        thread.setDaemon(true);
        thread.start();
    }

    /** The first sample at or after {@code from} that answered {@code ready}. */
    Optional<Sample> first(boolean ready, long from) {
        return samples.stream().filter(s -> s.at() >= from && s.ready() == ready).findFirst();
    }

    /** The samples asked in [from, to). */
    List<Sample> between(long from, long to) {
        return samples.stream().filter(s -> s.at() >= from && s.at() < to).toList();
    }

    /** Waits until a sample at or after {@code from} answers ready, for at most {@code timeoutNanos}. */
    Optional<Sample> awaitReady(long from, long timeoutNanos) throws InterruptedException {
        return await(true, from, timeoutNanos);
    }

    /** Waits until a sample at or after {@code from} answers not ready, for at most {@code timeoutNanos}. */
    Optional<Sample> awaitFalse(long from, long timeoutNanos) throws InterruptedException {
        return await(false, from, timeoutNanos);
    }

    private Optional<Sample> await(boolean ready, long from, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (System.nanoTime() < deadline) {
            Optional<Sample> found = first(ready, from);
            if (found.isPresent()) {
                return found;
            }
            Thread.sleep(100);
        }
        return first(ready, from);
    }

    /** A short account: samples, how many not ready, the longest not-ready stretch in ms. */
    String summary(long from, long to) {
        List<Sample> in = between(from, to);
        long notReady = in.stream().filter(s -> !s.ready()).count();
        long longest = 0;
        Long since = null;
        for (Sample s : in) {
            if (!s.ready() && since == null) {
                since = s.at();
            } else if (s.ready() && since != null) {
                longest = Math.max(longest, s.at() - since);
                since = null;
            }
        }
        if (since != null) {
            longest = Math.max(longest, to - since);
        }
        return in.size() + " /readyz samples, " + notReady + " not ready, longest not-ready stretch "
                + TimeUnit.NANOSECONDS.toMillis(longest) + " ms";
    }

    @Override
    public void close() throws InterruptedException {
        watching = false;
        thread.interrupt();
        thread.join(5_000);
    }
}
