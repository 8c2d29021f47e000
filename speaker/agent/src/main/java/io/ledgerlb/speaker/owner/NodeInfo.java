package io.ledgerlb.speaker.owner;

import java.util.Map;

/**
 * What the speaker knows about a Kubernetes Node: its labels and whether it may announce at all
 * (not labelled {@code node.kubernetes.io/exclude-from-external-load-balancers}, condition
 * NetworkUnavailable not True).
 */
public record NodeInfo(String name, Map<String, String> labels, boolean networkUnavailable) {
    public static final String EXCLUDE_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers";

    public NodeInfo {
        labels = Map.copyOf(labels);
    }

    public boolean mayAnnounce() {
        return !networkUnavailable && !labels.containsKey(EXCLUDE_LABEL);
    }
}
