package io.ledgerlb.allocator.core;

import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.LedgerListener;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Services waiting for an IP, in the order they get one when one is freed: <b>oldest refusal
 * first</b> — by the sequence of the first refusal since the Service last held an IP, then by
 * namespace/name. A Service starts waiting with an {@code AllocationRefused} entry and stops when an
 * {@code IpAssigned} entry gives it an IP, or when it is deleted ({@link #forget}).
 *
 * <p>When an entry frees capacity ({@link #freesCapacity}: an IP released, a pool defined), the
 * caller re-decides the waiting Services in this order <em>within the same ledger transaction</em>,
 * and records a retry only when it gives the Service an IP — so a newcomer can never take an IP that
 * a waiting Service could have had, and a Service that still cannot be served adds nothing to the
 * ledger. MetalLB re-queues every Service in such a case in an order its Go maps leave undefined.
 */
public final class WaitingServices implements LedgerListener {
    private final Map<ServiceKey, Long> since = new HashMap<>();

    @Override
    public synchronized void applied(LedgerEntry entry, LedgerState state) {
        Event event = entry.event();
        if (event.hasAllocationRefused()) {
            ServiceKey key = ServiceKey.of(event.getAllocationRefused().getService());
            if (state.assignmentsOf(key).isEmpty()) {
                since.putIfAbsent(key, entry.sequence());
            }
        } else if (event.hasIpAssigned()) {
            since.remove(ServiceKey.of(event.getIpAssigned().getService()));
        } else if (event.hasWaitEnded()) {
            since.remove(ServiceKey.of(event.getWaitEnded().getService()));
        }
    }

    /** The Service was deleted (or is no longer one this allocator serves). */
    public synchronized void forget(ServiceKey service) {
        since.remove(service);
    }

    /** Marks a Service as waiting (e.g. seen without an IP when leadership began), unless it waits already. */
    public synchronized void waiting(ServiceKey service, long sequence) {
        since.putIfAbsent(service, sequence);
    }

    public synchronized boolean isWaiting(ServiceKey service) {
        return since.containsKey(service);
    }

    /** The waiting Services, oldest refusal first. */
    public synchronized List<ServiceKey> oldestFirst() {
        return since.entrySet().stream()
                .sorted(Map.Entry.<ServiceKey, Long>comparingByValue()
                        .thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey)
                .toList();
    }

    public synchronized void clear() {
        since.clear();
    }

    /**
     * Whether these events can give a waiting Service an IP: an IP released, a pool (re)defined, or a
     * shared holding recorded (its ports, key or backends may now admit a Service that waits to share).
     */
    public static boolean freesCapacity(List<Event> events) {
        return events.stream().anyMatch(e -> e.hasIpReleased() || e.hasPoolDefined()
                || e.hasIpAssigned() && !e.getIpAssigned().getSharingKey().isEmpty());
    }

    /** Whether a retry's decision gives the Service an IP (only then is it recorded). */
    public static boolean gives(List<Event> events) {
        return events.stream().anyMatch(Event::hasIpAssigned);
    }
}
