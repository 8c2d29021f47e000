package io.ledgerlb.allocator.controller;

import io.ledgerlb.allocator.core.Allocator;
import io.ledgerlb.kube.EventRecorder.Note;
import io.ledgerlb.events.v1.AllocationRefused;
import io.ledgerlb.ledger.state.ServiceKey;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The Events MetalLB's controller writes on a Service, for ledgerlb's decisions: the same reasons,
 * spelling and case included (scripts select on them with {@code --field-selector reason=}), and
 * the same type, so a Warning appears exactly where MetalLB's controller tests expect one.
 */
final class ServiceEventNotes {
    static final String IP_ALLOCATED = "IPAllocated";
    static final String ALLOCATION_FAILED = "AllocationFailed";
    /** A Service holding IPs whose requested IPs cannot be read. */
    static final String LOAD_BALANCER_FAILED = "LoadBalancerFailed";
    /** RequireDualStack with single-stack cluster IPs (MetalLB's reason has spaces). */
    static final String NOT_ENOUGH_CLUSTER_IPS = "not enough clusterips";
    static final String CLEAR_ASSIGNMENT = "ClearAssignment";
    /** The IPs a Service's status shows are not one IP or one of each family. */
    static final String NO_LB_IPS_FAMILY = "nolbIPsIPFamily";
    static final String DEPRECATED_ANNOTATION = "deprecatedAnnotation";

    private ServiceEventNotes() {
    }

    /**
     * A refusal, as MetalLB reports it.
     *
     * @param heldBefore the Service held IPs before this decision
     */
    static Note refused(ServiceKey key, AllocationRefused refused, boolean heldBefore) {
        if (refused.getReason().equals(Allocator.SINGLE_STACK_CLUSTER_IP)) {
            return Note.warning(NOT_ENOUGH_CLUSTER_IPS, refused.getMessage());
        }
        if (heldBefore && Allocator.refusesRequestedIps(refused.getReason(), refused.getMessage())) {
            return Note.warning(LOAD_BALANCER_FAILED, "invalid requested loadbalancer IPs: " + refused.getMessage());
        }
        return Note.warning(ALLOCATION_FAILED, "Failed to allocate IP for \"" + key + "\": " + refused.getMessage());
    }

    static Note allocated(List<String> ips) {
        return Note.normal(IP_ALLOCATED, "Assigned IP " + ips.stream().map(ip -> "\"" + ip + "\"")
                .collect(Collectors.joining(", ", "[", "]")));
    }

    /** A warning of the allocation step: a deprecated annotation, or status IPs not kept. */
    static Note warning(ServiceKey key, List<String> statusIps, String warning) {
        if (!warning.startsWith(Allocator.ADOPTION_REFUSED)) {
            return Note.warning(DEPRECATED_ANNOTATION, warning);
        }
        if (!oneFamilyEach(statusIps)) {
            return Note.warning(NO_LB_IPS_FAMILY, "Failed to retrieve LBIPs IPFamily for " + statusIps + ": " + warning);
        }
        return Note.normal(CLEAR_ASSIGNMENT, "current IP for \"" + key + "\" not allowed by config, "
                + "will attempt for new IP assignment: " + warning);
    }

    /** One IP, or two of different families: what MetalLB can tell a family of. */
    private static boolean oneFamilyEach(List<String> ips) {
        Set<Boolean> v6 = ips.stream().map(ip -> ip.contains(":")).collect(Collectors.toSet());
        return ips.size() == 1 || ips.size() == 2 && v6.size() == 2;
    }
}
