package io.ledgerlb.allocator.admin;

import io.ledgerlb.events.v1.AllocationRefused;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.state.ServiceKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the time-based queries need of every entry from sequence 1, in memory: its time (so that
 * "the state at 09:00" and "entries between two times" are binary searches, not scans of the
 * topic), the sequences of the refusals, and the refusals still waiting (a Service refused and
 * given nothing since). Extended from the tail of the log before each use; the first use reads
 * the whole log once (8 bytes per entry, plus 8 per refusal).
 *
 * <p>Times are the writer's clock and may go backwards (a failover to a machine whose clock is
 * behind). The searches stay exact: while times only grow they search them directly; from the
 * first step back they search the running maximum and the minimum of what follows, kept beside.
 */
final class SequenceIndex {
    private final KafkaLedger ledger;
    private long[] times = new long[1024]; // epoch nanoseconds; sequence s at index s - 1
    private long[] runningMax;             // null while times never went back
    private long[] minAfter;
    private int size;
    private long[] refusals = new long[64];
    private int refusalCount;
    private final Map<ServiceKey, WaitingRefusal> waiting = new HashMap<>();

    SequenceIndex(KafkaLedger ledger) {
        this.ledger = ledger;
    }

    /** Reads the entries appended since the last call (up to the end of the log). */
    synchronized void catchUp() throws LedgerFormatException {
        ledger.readEntries(size + 1L, Long.MAX_VALUE, this::add, null);
    }

    /** Reads up to {@code sequence} when the index is behind it (the caller knows the head). */
    synchronized void catchUpTo(long sequence) throws LedgerFormatException {
        if (sequence > size) {
            ledger.readEntries(size + 1L, sequence, this::add, null);
        }
    }

    synchronized void add(LedgerEntry entry) {
        if (entry.sequence() != size + 1L) {
            throw new IllegalStateException("index at " + size + " given sequence " + entry.sequence());
        }
        Event event = entry.event();
        long time = event.getTime().getSeconds() * 1_000_000_000L + event.getTime().getNanos();
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            if (runningMax != null) {
                runningMax = Arrays.copyOf(runningMax, size * 2);
                minAfter = Arrays.copyOf(minAfter, size * 2);
            }
        }
        if (runningMax == null && size > 0 && time < times[size - 1]) {
            runningMax = Arrays.copyOf(times, times.length);
            minAfter = Arrays.copyOf(times, times.length);
        }
        times[size] = time;
        if (runningMax != null) {
            runningMax[size] = size == 0 ? time : Math.max(runningMax[size - 1], time);
            minAfter[size] = time;
            for (int i = size - 1; i >= 0 && minAfter[i] > time; i--) {
                minAfter[i] = time;
            }
        }
        size++;
        switch (event.getBodyCase()) {
            case ALLOCATION_REFUSED -> {
                if (refusalCount == refusals.length) {
                    refusals = Arrays.copyOf(refusals, refusalCount * 2);
                }
                refusals[refusalCount++] = entry.sequence();
                AllocationRefused r = event.getAllocationRefused();
                ServiceKey service = ServiceKey.of(r.getService());
                waiting.put(service, new WaitingRefusal(service, entry.sequence(), instant(time), r.getReason(), r.getMessage()));
            }
            case IP_ASSIGNED -> waiting.remove(ServiceKey.of(event.getIpAssigned().getService()));
            case WAIT_ENDED -> waiting.remove(ServiceKey.of(event.getWaitEnded().getService()));
            default -> { }
        }
    }

    /** The last sequence indexed. */
    synchronized long last() {
        return size;
    }

    synchronized Optional<Instant> timeOf(long sequence) {
        return sequence < 1 || sequence > size ? Optional.empty() : Optional.of(instant(times[(int) sequence - 1]));
    }

    /** The last sequence whose time is at or before {@code time}; 0 when none is. */
    synchronized long lastAtOrBefore(Instant time) {
        long t = nanos(time);
        long[] ascending = runningMax == null ? times : minAfter; // the last s with minAfter[s] <= t has time[s] <= t
        int lo = 0;
        int hi = size; // answer: count of positions whose value is <= t (ascending array)
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ascending[mid] <= t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The first sequence whose time is at or after {@code time}; {@code last() + 1} when none is. */
    synchronized long firstAtOrAfter(Instant time) {
        long t = nanos(time);
        long[] ascending = runningMax == null ? times : runningMax;
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ascending[mid] < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo + 1L;
    }

    /** The sequences of the refusals in {@code from..to}, newest first, at most {@code limit}. */
    synchronized long[] refusalsBetween(long from, long to, int limit) {
        int end = upperBound(refusals, refusalCount, to); // refusals[0..end) <= to
        int start = upperBound(refusals, refusalCount, from - 1);
        int n = Math.min(limit, end - start);
        long[] out = new long[Math.max(n, 0)];
        for (int i = 0; i < out.length; i++) {
            out[i] = refusals[end - 1 - i];
        }
        return out;
    }

    /** How many refusals lie in {@code from..to}. */
    synchronized int refusalCount(long from, long to) {
        return Math.max(0, upperBound(refusals, refusalCount, to) - upperBound(refusals, refusalCount, from - 1));
    }

    synchronized List<WaitingRefusal> waiting() {
        return waiting.values().stream().sorted(java.util.Comparator.comparing(WaitingRefusal::service)).toList();
    }

    /** The number of values in {@code sorted[0..n)} at or below {@code value}. */
    private static int upperBound(long[] sorted, int n, long value) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Epoch nanoseconds, saturated: a time asked about may lie centuries away. */
    private static long nanos(Instant t) {
        if (t.getEpochSecond() >= Long.MAX_VALUE / 1_000_000_000L) {
            return Long.MAX_VALUE;
        }
        if (t.getEpochSecond() <= Long.MIN_VALUE / 1_000_000_000L) {
            return Long.MIN_VALUE;
        }
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }
}
