package io.ledgerlb.allocator.core;

import io.ledgerlb.ledger.state.LabelSelectors;
import io.ledgerlb.events.v1.LabelSelector;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.events.v1.ServiceAllocation;
import io.ledgerlb.net.InvalidAddressException;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpFamily;
import io.ledgerlb.net.IpRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A pool as the allocator uses it: a {@link PoolDefined} with its addresses parsed. Addresses are
 * iterated in the order the pool lists them, each range from its first to its last address.
 */
public record PoolSpec(PoolDefined definition, List<IpRange> ranges) {

    public PoolSpec {
        ranges = List.copyOf(ranges);
    }

    /** Parses and checks a pool; throws {@link InvalidAddressException} saying what is wrong. */
    public static PoolSpec of(PoolDefined definition) {
        String name = definition.getName();
        if (name.isBlank()) {
            throw new InvalidAddressException("a pool needs a name");
        }
        if (definition.getAddressesCount() == 0) {
            throw new InvalidAddressException("pool " + name + " has no addresses");
        }
        List<IpRange> ranges = new ArrayList<>();
        for (String text : definition.getAddressesList()) {
            IpRange range;
            try {
                range = IpRange.parse(text);
            } catch (InvalidAddressException e) {
                throw new InvalidAddressException("pool " + name + ": " + e.getMessage());
            }
            for (IpRange earlier : ranges) {
                if (earlier.overlaps(range)) {
                    throw new InvalidAddressException("pool " + name + ": " + text + " overlaps " + earlier + " of the same pool");
                }
            }
            ranges.add(range);
        }
        ServiceAllocation allocation = definition.getServiceAllocation();
        List<LabelSelector> selectors = new ArrayList<>(allocation.getNamespaceSelectorsList());
        selectors.addAll(allocation.getServiceSelectorsList());
        for (LabelSelector selector : selectors) {
            String problem = LabelSelectors.problem(selector);
            if (problem != null) {
                throw new InvalidAddressException("pool " + name + ": serviceAllocation: " + problem);
            }
        }
        return new PoolSpec(definition, ranges);
    }

    public String name() {
        return definition.getName();
    }

    public boolean autoAssign() {
        return definition.getAutoAssign();
    }

    public boolean avoidBuggyIps() {
        return definition.getAvoidBuggyIps();
    }

    public boolean hasServiceAllocation() {
        return definition.hasServiceAllocation();
    }

    /** Priority for ordering: lower first; unset (0) after every set priority. */
    int sortPriority() {
        int priority = definition.getServiceAllocation().getPriority();
        return priority == 0 ? Integer.MAX_VALUE : priority;
    }

    public boolean hasFamily(IpFamily family) {
        for (IpRange range : ranges) {
            if (range.family() == family) {
                return true;
            }
        }
        return false;
    }

    /** The range holding {@code ip}, or null. */
    public IpRange rangeOf(IpAddress ip) {
        for (IpRange range : ranges) {
            if (range.contains(ip)) {
                return range;
            }
        }
        return null;
    }

    public boolean contains(IpAddress ip) {
        return rangeOf(ip) != null;
    }

    /** In the pool and, under avoidBuggyIPs, not an address ending in .0 or .255. */
    public boolean usable(IpAddress ip) {
        return contains(ip) && !(avoidBuggyIps() && ip.isBuggy());
    }

    /** The first pair of overlapping ranges between this pool and another, described, or null. */
    public String overlapWith(PoolSpec other) {
        for (IpRange mine : ranges) {
            for (IpRange theirs : other.ranges) {
                if (mine.overlaps(theirs)) {
                    return "pool " + name() + "'s range " + mine + " overlaps pool " + other.name() + "'s range " + theirs;
                }
            }
        }
        return null;
    }

    /**
     * Whether the pool's serviceAllocation selects the Service: its namespace is listed (when
     * namespaces are given), its namespace's labels match one namespaceSelector (when given) and
     * its labels match one serviceSelector (when given). A pool without serviceAllocation selects
     * every Service.
     */
    public boolean selects(ServiceRequest service) {
        return whyNotSelected(service) == null;
    }

    /**
     * Why the pool's serviceAllocation does not select the Service, or null when it does. The one
     * selection check: automatic placement, requested IPs and pools, and IPs already held all use it.
     */
    public String whyNotSelected(ServiceRequest service) {
        ServiceAllocation allocation = definition.getServiceAllocation();
        String namespace = service.key().namespace();
        if (!namespaceSelected(allocation, namespace, service.namespaceLabels())) {
            return "namespace " + namespace + " " + labelsText(service.namespaceLabels())
                    + " is neither among its namespaces " + allocation.getNamespacesList()
                    + " nor matched by its namespaceSelectors";
        }
        if (!LabelSelectors.anyMatches(allocation.getServiceSelectorsList(), service.labels())) {
            return "the Service's labels " + labelsText(service.labels()) + " match none of its serviceSelectors";
        }
        return null;
    }

    /**
     * As MetalLB: the namespaces a pool admits are those it lists together with those its
     * namespaceSelectors match; with neither given, every namespace. Unlike MetalLB, selectors that
     * match no namespace admit none (MetalLB then admits all).
     */
    private static boolean namespaceSelected(ServiceAllocation allocation, String namespace, Map<String, String> labels) {
        List<LabelSelector> selectors = allocation.getNamespaceSelectorsList();
        if (allocation.getNamespacesCount() == 0 && selectors.isEmpty()) {
            return true;
        }
        return allocation.getNamespacesList().contains(namespace)
                || selectors.stream().anyMatch(selector -> LabelSelectors.matches(selector, labels));
    }

    private static String labelsText(Map<String, String> labels) {
        return labels.isEmpty() ? "(none)" : new TreeMap<>(labels).toString();
    }
}
