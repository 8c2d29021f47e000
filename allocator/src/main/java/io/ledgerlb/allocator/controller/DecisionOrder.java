package io.ledgerlb.allocator.controller;

import io.fabric8.kubernetes.api.model.Service;
import io.ledgerlb.allocator.core.ServiceAnnotations;
import io.ledgerlb.allocator.k8s.adapter.ServiceRequests;
import java.util.Comparator;
import java.util.Map;

/**
 * The order in which Services are decided when many are decided together (a resync, the first
 * pass of a new leader, a batch): first those that request IPs ({@code loadBalancerIPs} under
 * either prefix, or {@code spec.loadBalancerIP}), then those whose status already shows IPs (so
 * they are adopted before an automatic placement can take them), then the rest; within a group the
 * oldest first (creationTimestamp), then by namespace and name. When two Services' status shows the
 * same IP and they may not share it, the one decided first keeps it; the other is placed anew and
 * told why in an event.
 */
final class DecisionOrder {
    private DecisionOrder() {}

    static final Comparator<Service> SERVICES = Comparator.comparingInt(DecisionOrder::rank)
            .thenComparing(s -> nullToEmpty(s.getMetadata().getCreationTimestamp()))
            .thenComparing(s -> nullToEmpty(s.getMetadata().getNamespace()))
            .thenComparing(s -> nullToEmpty(s.getMetadata().getName()));

    /** 0: requests IPs; 1: status shows IPs; 2: the rest. */
    static int rank(Service service) {
        Map<String, String> annotations = service.getMetadata().getAnnotations();
        boolean requests = service.getSpec() != null && service.getSpec().getLoadBalancerIP() != null
                && !service.getSpec().getLoadBalancerIP().isBlank()
                || annotations != null && (annotations.containsKey(ServiceAnnotations.PREFIX + ServiceAnnotations.LOAD_BALANCER_IPS)
                        || annotations.containsKey(ServiceAnnotations.DEPRECATED_PREFIX + ServiceAnnotations.LOAD_BALANCER_IPS));
        if (requests) {
            return 0;
        }
        return ServiceRequests.statusIps(service).isEmpty() ? 2 : 1;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
