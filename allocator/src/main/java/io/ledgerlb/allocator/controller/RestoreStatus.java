package io.ledgerlb.allocator.controller;

import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restore mode as a state shows it: whether it is on, and the reserved Services that have not
 * reappeared yet with the IPs kept for them (by namespace/name).
 */
public record RestoreStatus(boolean restoring, long sequence, Map<ServiceKey, List<String>> missing,
                            List<String> releasedIps) {
    public RestoreStatus {
        missing = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(missing));
        releasedIps = List.copyOf(releasedIps);
    }

    public static RestoreStatus of(LedgerState state) {
        return of(state, List.of());
    }

    static RestoreStatus of(LedgerState state, List<String> releasedIps) {
        Map<ServiceKey, List<String>> missing = new LinkedHashMap<>();
        for (ServiceKey service : state.reserved()) {
            missing.put(service, state.assignmentsOf(service).stream().map(IpAssigned::getIp).sorted().toList());
        }
        return new RestoreStatus(state.restoring(), state.sequence(), missing, releasedIps);
    }
}
