package io.ledgerlb.ledger.state;

import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.LabelSelector;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * MetalLB 0.16's {@code serviceSelectors} on L2Advertisements and BGPAdvertisements: an
 * advertisement without them announces every Service's IP; one with them only the IPs of Services
 * whose labels match at least one. An IP shared by several Services is announced when any of its
 * Services is selected (the route or ARP answer is per IP, not per Service).
 */
public final class ServiceSelection {
    private ServiceSelection() {}

    /** Whether an advertisement with these service selectors announces a Service with these labels. */
    public static boolean selects(List<LabelSelector> serviceSelectors, Map<String, String> serviceLabels) {
        return LabelSelectors.anyMatches(serviceSelectors, serviceLabels);
    }

    /**
     * Whether an advertisement with these service selectors announces an IP with these holders.
     *
     * @param labels each Service's labels (a Service not known has none)
     */
    public static boolean announces(List<LabelSelector> serviceSelectors, Collection<IpAssigned> holders,
                                    Function<ServiceKey, Map<String, String>> labels) {
        if (serviceSelectors.isEmpty()) {
            return true;
        }
        return holders.stream().anyMatch(h -> selects(serviceSelectors, labels.apply(ServiceKey.of(h.getService()))));
    }
}
