package io.ledgerlb.kube;

import java.net.HttpURLConnection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * When to try a refused write to the API server again, per object: 0.5 s after the first failure,
 * doubling up to 30 s, reset by a success. The retry is handed only the key and writes what is
 * wanted when it runs; at most one retry per key waits at a time. A writer that keeps its state on
 * one thread passes that thread ({@link #writerThread}), so a retry never races a write.
 */
public final class WriteRetries<K> {
    static final long FIRST_DELAY_MS = 500;
    static final long MAX_DELAY_MS = 30_000;

    private final ScheduledExecutorService thread;
    private final Map<K, Integer> failures = new ConcurrentHashMap<>();
    private final Set<K> waiting = ConcurrentHashMap.newKeySet();

    /** @param thread where the retries run */
    public WriteRetries(ScheduledExecutorService thread) {
        this.thread = thread;
    }

    /** The single daemon thread a writer does its writes and retries on. */
    public static ScheduledExecutorService writerThread(String name) {
        return Daemons.thread(name);
    }

    /** The delay before the next try after {@code failures} failures in a row. */
    public static long delayMillis(int failures) {
        return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS << Math.min(failures - 1, 16));
    }

    /**
     * Whether an answer of the API server (its HTTP code; 0: no answer at all) may pass later: a
     * server error, too many requests, a conflict or no answer. Not found, forbidden and invalid will not.
     */
    public static boolean worthRetrying(int code) {
        return code == 0 || code >= HttpURLConnection.HTTP_INTERNAL_ERROR || code == 429
                || code == HttpURLConnection.HTTP_CONFLICT;
    }

    /** A write of {@code key} failed: runs {@code retry} later, unless a retry of it is already waiting. Returns the delay. */
    public long failed(K key, Consumer<K> retry) {
        long delay = delayMillis(failures.merge(key, 1, Integer::sum));
        if (waiting.add(key)) {
            try {
                thread.schedule(() -> {
                    waiting.remove(key);
                    retry.accept(key);
                }, delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closed) {
                waiting.remove(key); // the writer is closing: nothing more to write
            }
        }
        return delay;
    }

    /** How many writes of {@code key} failed in a row. */
    public int failures(K key) {
        return failures.getOrDefault(key, 0);
    }

    /** The key is as wanted (written, or nothing left to write): the next failure starts from the first delay. */
    public void done(K key) {
        failures.remove(key);
    }
}
