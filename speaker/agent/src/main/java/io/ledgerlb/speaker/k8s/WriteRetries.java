package io.ledgerlb.speaker.k8s;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * When to try a refused write again, per object: 0.5 s after the first failure, doubling up to
 * 30 s, reset by a success. A writer owns one of these and uses it only from its own thread (the
 * one {@link #writerThread} makes), so a retry never races a write; the retry is handed only the
 * key, and writes what is wanted when it runs.
 */
public final class WriteRetries<K> {
    static final long FIRST_DELAY_MS = 500;
    static final long MAX_DELAY_MS = 30_000;

    private final ScheduledExecutorService thread;
    private final Map<K, Integer> failures = new HashMap<>();
    private final Set<K> waiting = new HashSet<>();

    WriteRetries(ScheduledExecutorService thread) {
        this.thread = thread;
    }

    /** The single daemon thread a writer does its writes and retries on. */
    public static ScheduledExecutorService writerThread(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** The delay before the next try after {@code failures} failures in a row. */
    public static long delayMillis(int failures) {
        return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS << Math.min(failures - 1, 16));
    }

    /** A write of {@code key} failed: runs {@code retry} later, unless a retry of it is already waiting. Returns the delay. */
    long failed(K key, Consumer<K> retry) {
        long delay = delayMillis(failures.merge(key, 1, Integer::sum));
        if (waiting.add(key) && !thread.isShutdown()) {
            thread.schedule(() -> {
                waiting.remove(key);
                retry.accept(key);
            }, delay, TimeUnit.MILLISECONDS);
        }
        return delay;
    }

    /** The key is as wanted (written, or nothing left to write): the next failure starts from the first delay. */
    void done(K key) {
        failures.remove(key);
    }
}
