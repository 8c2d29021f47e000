package io.ledgerlb.allocator.controller;

import io.ledgerlb.allocator.controller.ConformanceTable.Pool;
import io.ledgerlb.allocator.controller.ConformanceTable.Svc;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import java.util.List;
import java.util.Optional;

/** Runs conformance steps against one allocator and reports what it decided. */
interface ConformanceDriver extends AutoCloseable {
    void definePool(Pool pool) throws Exception;

    void removePool(String name) throws Exception;

    /** Applies (creates or updates) the Service; true when this step recorded a refusal for it. */
    boolean apply(Svc svc) throws Exception;

    void delete(ServiceKey key) throws Exception;

    /** Notes the Kubernetes Events on the Service so far, for {@link #eventsSinceMark}. */
    default void markEvents(ServiceKey key) {
    }

    /**
     * The Events recorded on the Service since {@link #markEvents}, each as {@code "<type> <reason>"}
     * ({@code "Warning AllocationFailed"}); empty when this driver writes no Events.
     */
    default Optional<List<String>> eventsSinceMark(ServiceKey key) {
        return Optional.empty();
    }

    /** The committed ledger state. */
    LedgerState state();

    /** The IPs the ledger gives the Service, sorted. */
    default List<String> holds(ServiceKey key) {
        return state().assignmentsOf(key).stream().map(h -> h.getIp()).sorted().toList();
    }

    @Override
    void close() throws Exception;
}
