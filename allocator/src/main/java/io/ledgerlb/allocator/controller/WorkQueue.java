package io.ledgerlb.allocator.controller;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A queue of keys to reconcile, without duplicates: a key added while it is already waiting is
 * handled once, with whatever the cache holds by then (like client-go's work queue).
 */
final class WorkQueue<K> {
    private final LinkedHashSet<K> waiting = new LinkedHashSet<>();
    private boolean closed;
    private int taken; // keys handed out by the last drain and not yet done

    synchronized void add(K key) {
        if (!closed && waiting.add(key)) {
            notifyAll();
        }
    }

    /**
     * Up to {@code max} keys in the order they came, waiting for the first one: empty when the
     * timeout passed or the queue was closed.
     */
    synchronized List<K> drain(int max, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (waiting.isEmpty() && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return List.of();
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        List<K> keys = new ArrayList<>(Math.min(max, waiting.size()));
        var it = waiting.iterator();
        while (!closed && it.hasNext() && keys.size() < max) {
            keys.add(it.next());
            it.remove();
        }
        taken = keys.size();
        return keys;
    }

    /** The keys of the last drain were handled. */
    synchronized void done() {
        taken = 0;
    }

    /** Nothing waiting and nothing being handled. */
    synchronized boolean idle() {
        return waiting.isEmpty() && taken == 0;
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
