package io.ledgerlb.ledger.state;

import io.ledgerlb.events.v1.LabelSelector;
import io.ledgerlb.events.v1.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Kubernetes label selector semantics over the ledger's {@link LabelSelector}: every term must hold. */
public final class LabelSelectors {
    private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

    private LabelSelectors() {}

    /** True when every matchLabels entry and every expression holds (an empty selector matches everything). */
    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        for (Map.Entry<String, String> wanted : selector.getMatchLabelsMap().entrySet()) {
            if (!wanted.getValue().equals(labels.get(wanted.getKey()))) {
                return false;
            }
        }
        return selector.getMatchExpressionsList().stream().allMatch(r -> matches(r, labels));
    }

    /** True when the list is empty (no restriction) or any selector matches. */
    public static boolean anyMatches(List<LabelSelector> selectors, Map<String, String> labels) {
        return selectors.isEmpty() || selectors.stream().anyMatch(s -> matches(s, labels));
    }

    private static boolean matches(LabelSelectorRequirement requirement, Map<String, String> labels) {
        String value = labels.get(requirement.getKey());
        return switch (requirement.getOperator()) {
            case "In" -> value != null && requirement.getValuesList().contains(value);
            case "NotIn" -> value == null || !requirement.getValuesList().contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            default -> false; // an operator we do not know selects nothing, rather than everything
        };
    }

    /** Why a selector is not valid, or null when it is. */
    public static String problem(LabelSelector selector) {
        for (LabelSelectorRequirement requirement : selector.getMatchExpressionsList()) {
            if (!OPERATORS.contains(requirement.getOperator())) {
                return "unknown selector operator '" + requirement.getOperator() + "' (expected In, NotIn, Exists or DoesNotExist)";
            }
            boolean needsValues = requirement.getOperator().equals("In") || requirement.getOperator().equals("NotIn");
            if (needsValues == requirement.getValuesList().isEmpty()) {
                return "selector operator " + requirement.getOperator() + " on '" + requirement.getKey() + "' "
                        + (needsValues ? "needs values" : "takes no values");
            }
        }
        return null;
    }
}
