package io.ledgerlb.speaker.bgp.nativ;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * The messages of one connection waiting for its writer thread, counted in bytes. Above the
 * high-water mark the connection reports itself not writable (the FSM then holds back UPDATEs);
 * once the writer brings it down to the low-water mark, {@link #written} says so once.
 *
 * <p>KEEPALIVEs and NOTIFICATIONs overtake queued UPDATEs (they carry no routes, and a message
 * boundary is all RFC 4271 asks), but never an OPEN. {@link #finish} drops what is still queued
 * except NOTIFICATIONs: the session is over, the peer discards its routes anyway.
 */
final class OutboundQueue {
    static final int HIGH_WATER = 64 * 1024;
    static final int LOW_WATER = 16 * 1024;
    private static final byte NOTIFICATION = 3;
    private static final byte KEEPALIVE = 4;
    private static final byte UPDATE = 2;

    private final ArrayDeque<byte[]> urgent = new ArrayDeque<>();
    private final ArrayDeque<byte[]> data = new ArrayDeque<>();
    private final LongConsumer queuedChange;
    private long bytes;
    private boolean congested;
    private boolean finished;

    /** @param queuedChange told of every change of the queued byte count (for the session's gauge) */
    OutboundQueue(LongConsumer queuedChange) {
        this.queuedChange = queuedChange;
    }

    synchronized void add(byte[] message) {
        if (finished) {
            return;
        }
        byte type = message[18];
        if (type == KEEPALIVE || type == NOTIFICATION) {
            if (type == KEEPALIVE && urgent.stream().anyMatch(m -> m[18] == KEEPALIVE)) {
                return; // one waiting keepalive says all a second one would
            }
            urgent.add(message);
        } else {
            data.add(message);
        }
        count(message.length);
        if (bytes >= HIGH_WATER) {
            congested = true;
        }
        notifyAll();
    }

    /** Whether the FSM may queue more UPDATEs now. */
    synchronized boolean writable() {
        return !finished && bytes < HIGH_WATER;
    }

    synchronized long bytes() {
        return bytes;
    }

    /**
     * The next messages to write, up to about {@code limit} bytes (at least one), in the order
     * they go on the wire; blocks until there is one. Empty once {@link #finish}ed and written.
     * The bytes stay counted as queued until {@link #written}.
     */
    synchronized List<byte[]> take(int limit) throws InterruptedException {
        while (urgent.isEmpty() && data.isEmpty() && !finished) {
            wait();
        }
        List<byte[]> batch = new ArrayList<>();
        int size = 0;
        while (size < limit) {
            byte[] next;
            if (!urgent.isEmpty() && (data.isEmpty() || data.peek()[18] == UPDATE)) {
                next = urgent.poll();
            } else if (!data.isEmpty()) {
                next = data.poll();
            } else {
                break;
            }
            batch.add(next);
            size += next.length;
        }
        return batch;
    }

    /** These bytes are on the wire; true when that ended a congestion (the FSM may send again). */
    synchronized boolean written(int written) {
        count(-written);
        if (congested && bytes <= LOW_WATER) {
            congested = false;
            return !finished;
        }
        return false;
    }

    /** No more messages: queued UPDATEs, OPENs and KEEPALIVEs are dropped, NOTIFICATIONs still go. */
    synchronized void finish() {
        finished = true;
        long dropped = 0;
        for (byte[] m : data) {
            dropped += m.length;
        }
        data.clear();
        for (var it = urgent.iterator(); it.hasNext(); ) {
            byte[] m = it.next();
            if (m[18] != NOTIFICATION) {
                dropped += m.length;
                it.remove();
            }
        }
        count(-dropped);
        notifyAll();
    }

    /** Everything still counted is forgotten (the socket is closed). */
    synchronized void discard() {
        finished = true;
        urgent.clear();
        data.clear();
        count(-bytes);
        notifyAll();
    }

    private void count(long change) {
        long delta = Math.max(change, -bytes); // a batch written after discard() counts no more
        if (delta != 0) {
            bytes += delta;
            queuedChange.accept(delta);
        }
    }
}
