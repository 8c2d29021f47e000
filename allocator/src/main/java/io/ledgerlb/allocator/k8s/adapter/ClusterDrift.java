package io.ledgerlb.allocator.k8s.adapter;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Where Services' status disagrees with the ledger (the ledger is the truth; the allocator corrects such drift). */
public final class ClusterDrift {
    private ClusterDrift() {}

    /** One Service whose status shows other IPs than the ledger gives it. */
    public record Drift(ServiceKey service, List<String> inStatus, List<String> inLedger) {
        @Override
        public String toString() {
            return service + ": status shows " + inStatus + ", the ledger says " + inLedger;
        }
    }

    /**
     * Compares each Service holding IPs in the ledger, or showing IPs the ledger gives to no other
     * Service, with its status. Services the ledger does not know and whose IPs it does not hold
     * (e.g. another load balancer's) are not drift, nor are Services that restore mode keeps IPs for
     * while they are missing.
     */
    public static List<Drift> between(LedgerState state, List<Service> services) {
        List<Drift> drift = new ArrayList<>();
        Set<ServiceKey> seen = new HashSet<>();
        for (Service service : services) {
            ServiceKey key = new ServiceKey(service.getMetadata().getNamespace(), service.getMetadata().getName());
            seen.add(key);
            List<String> ledger = state.assignmentsOf(key).stream().map(IpAssigned::getIp).sorted().toList();
            List<String> status = ingressIps(service);
            boolean claimsLedgerIps = status.stream().anyMatch(state::isAssigned);
            if (!ledger.equals(status) && (!ledger.isEmpty() || claimsLedgerIps)) {
                drift.add(new Drift(key, status, ledger));
            }
        }
        for (ServiceKey key : state.servicesWithAssignments()) {
            if (!seen.contains(key) && !state.isReserved(key)) { // a reserved one is missing by design (restore mode)
                drift.add(new Drift(key, List.of(), state.assignmentsOf(key).stream().map(IpAssigned::getIp).sorted().toList()));
            }
        }
        drift.sort((a, b) -> a.service().compareTo(b.service()));
        return drift;
    }

    static List<String> ingressIps(Service s) {
        return s.getStatus() == null || s.getStatus().getLoadBalancer() == null
                || s.getStatus().getLoadBalancer().getIngress() == null ? List.of()
                : s.getStatus().getLoadBalancer().getIngress().stream().map(LoadBalancerIngress::getIp).sorted().toList();
    }
}
