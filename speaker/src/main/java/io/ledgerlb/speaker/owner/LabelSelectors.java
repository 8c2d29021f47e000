package io.ledgerlb.speaker.owner;

import io.ledgerlb.events.v1.LabelSelector;
import io.ledgerlb.events.v1.LabelSelectorRequirement;
import java.util.Map;

/** Kubernetes label selector semantics over the ledger's {@link LabelSelector}. */
public final class LabelSelectors {
    private LabelSelectors() {}

    /** True when every matchLabels entry and every expression holds (an empty selector matches everything). */
    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        for (Map.Entry<String, String> e : selector.getMatchLabelsMap().entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (LabelSelectorRequirement r : selector.getMatchExpressionsList()) {
            String value = labels.get(r.getKey());
            boolean holds = switch (r.getOperator()) {
                case "In" -> value != null && r.getValuesList().contains(value);
                case "NotIn" -> value == null || !r.getValuesList().contains(value);
                case "Exists" -> labels.containsKey(r.getKey());
                case "DoesNotExist" -> !labels.containsKey(r.getKey());
                default -> false; // an operator we do not know selects nothing, rather than everything
            };
            if (!holds) {
                return false;
            }
        }
        return true;
    }

    /** True when the list is empty (no restriction) or any selector matches. */
    public static boolean anyMatches(java.util.List<LabelSelector> selectors, Map<String, String> labels) {
        return selectors.isEmpty() || selectors.stream().anyMatch(s -> matches(s, labels));
    }
}
