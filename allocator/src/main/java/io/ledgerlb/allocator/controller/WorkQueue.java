package io.ledgerlb.allocator.controller;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A queue of keys to reconcile, without duplicates: a key added while it is already waiting is
 * handled once, with whatever the cache holds by then (like client-go's work queue).
 */
final class WorkQueue<K> {
    private final LinkedHashSet<K> waiting = new LinkedHashSet<>();
    private boolean closed;

    synchronized void add(K key) {
        if (!closed && waiting.add(key)) {
            notifyAll();
        }
    }

    /** The next key, or empty when the timeout passed or the queue was closed. */
    synchronized Optional<K> take(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (waiting.isEmpty() && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        if (closed) {
            return Optional.empty();
        }
        var it = waiting.iterator();
        K key = it.next();
        it.remove();
        return Optional.of(key);
    }

    synchronized int size() {
        return waiting.size();
    }

    synchronized void close() {
        closed = true;
        waiting.clear();
        notifyAll();
    }
}
