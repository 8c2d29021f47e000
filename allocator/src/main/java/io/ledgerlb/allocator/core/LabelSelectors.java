package io.ledgerlb.allocator.core;

import io.ledgerlb.events.v1.LabelSelector;
import io.ledgerlb.events.v1.LabelSelectorRequirement;
import java.util.Map;
import java.util.Set;

/** Kubernetes label selector matching: matchLabels and matchExpressions must all hold. */
public final class LabelSelectors {
    private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

    private LabelSelectors() {}

    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        for (Map.Entry<String, String> wanted : selector.getMatchLabelsMap().entrySet()) {
            if (!wanted.getValue().equals(labels.get(wanted.getKey()))) {
                return false;
            }
        }
        for (LabelSelectorRequirement requirement : selector.getMatchExpressionsList()) {
            if (!matches(requirement, labels)) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(LabelSelectorRequirement requirement, Map<String, String> labels) {
        String value = labels.get(requirement.getKey());
        return switch (requirement.getOperator()) {
            case "In" -> value != null && requirement.getValuesList().contains(value);
            case "NotIn" -> value == null || !requirement.getValuesList().contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            default -> false;
        };
    }

    /** Why a selector is not valid, or null when it is. */
    static String problem(LabelSelector selector) {
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
