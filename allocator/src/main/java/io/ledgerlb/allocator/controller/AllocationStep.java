package io.ledgerlb.allocator.controller;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.ledgerlb.allocator.k8s.adapter.MetalLbKinds;
import io.ledgerlb.allocator.metrics.PoolCounts;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.events.v1.Cause;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The pure allocation step as the controller calls it: the state and a Kubernetes object in,
 * the events to append out. It does no I/O and never changes the state; the controller appends
 * the events and folds the committed entries.
 */
public interface AllocationStep extends PoolCounts.Source {

    /** A Service was created or changed (any type: a Service that left LoadBalancer is released). */
    Decision service(LedgerState state, Service service, Map<String, String> namespaceLabels, Cause cause, Instant now);

    Decision serviceDeleted(LedgerState state, ServiceKey service, Cause cause, Instant now);

    /** A Service that waited for an IP stops waiting without one: deleted, or no longer served. */
    Decision waitEnded(ServiceKey service, String reason, Cause cause, Instant now);

    /** A MetalLB resource was created or changed. */
    Decision config(LedgerState state, MetalLbKinds kind, GenericKubernetesResource resource, Cause cause, Instant now);

    Decision configDeleted(LedgerState state, MetalLbKinds kind, String name, Cause cause, Instant now);

    /** Restore mode begins (IllegalStateException when it is on already). */
    default Decision restoreStarted(LedgerState state, Cause cause, Instant now) {
        throw new UnsupportedOperationException("this step has no restore mode");
    }

    /** The reservation of a missing Service is given up (IllegalArgumentException when it is not reserved). */
    default Decision reservationReleased(LedgerState state, ServiceKey service, Cause cause, Instant now) {
        throw new UnsupportedOperationException("this step has no restore mode");
    }

    /** Restore mode ends; reserved Services not {@code present} in the API are released. */
    default Decision restoreEnded(LedgerState state, Set<ServiceKey> present, Cause cause, Instant now) {
        throw new UnsupportedOperationException("this step has no restore mode");
    }

    /** Told about each committed entry right after the controller folded it (to keep caches in step). */
    default void applied(LedgerEntry entry, LedgerState state) {}

    /**
     * The events to append (possibly none); for configuration the step refused, why (the
     * controller shows it as a status condition and a warning event on the resource); and warnings
     * about the input (e.g. deprecated annotations), shown as warning events.
     */
    record Decision(List<Event> events, Optional<String> invalid, List<String> warnings) {
        public static Decision of(List<Event> events) {
            return new Decision(events, Optional.empty(), List.of());
        }

        public static Decision invalid(String why) {
            return new Decision(List.of(), Optional.of(why), List.of());
        }
    }
}
