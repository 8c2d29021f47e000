package io.ledgerlb.allocator.core;

import io.ledgerlb.events.v1.ReleaseReason;
import io.ledgerlb.ledger.state.ServiceKey;
import java.util.List;

/** What a step means for the object it was about; the adapter turns it into status and events. */
public sealed interface Outcome {

    /**
     * The Service holds these IPs from this pool once the decision is committed (new IPs, or the
     * same IPs with updated facts such as ports or sharing key).
     */
    record Allocated(List<String> ips, String pool, List<String> warnings) implements Outcome {
        public Allocated {
            ips = List.copyOf(ips);
            warnings = List.copyOf(warnings);
        }
    }

    /** The Service already holds these IPs and nothing about the holding changed. */
    record Unchanged(List<String> ips, String pool, List<String> warnings) implements Outcome {
        public Unchanged {
            ips = List.copyOf(ips);
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * The request cannot be met; nothing but the refusal itself is recorded — and the release of
     * what the Service held when its pool no longer selects it (NO_LONGER_SELECTED).
     */
    record Refused(String reason, String message, List<String> warnings) implements Outcome {
        public Refused {
            warnings = List.copyOf(warnings);
        }
    }

    /** The Service gave up these IPs (deleted, no longer a LoadBalancer, or another class's now). */
    record Released(List<String> ips, ReleaseReason reason) implements Outcome {
        public Released {
            ips = List.copyOf(ips);
        }
    }

    /** Restore mode began or ended, or a reservation was released; {@code reserved}: Services still missing. */
    record RestoreChanged(boolean restoring, int reserved, List<String> releasedIps) implements Outcome {
        public RestoreChanged {
            releasedIps = List.copyOf(releasedIps);
        }
    }

    /** Not a Service this allocator serves (not a LoadBalancer, or another loadBalancerClass). */
    record NotOurs(String why) implements Outcome {}

    /**
     * A pool was defined, changed or removed. {@code displaced} Services lost IPs by it; run the
     * Service step for each of them again (and for any Service still waiting for an IP).
     */
    record PoolUpdated(String pool, List<ServiceKey> displaced) implements Outcome {
        public PoolUpdated {
            displaced = List.copyOf(displaced);
        }
    }
}
