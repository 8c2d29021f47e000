package io.ledgerlb.allocator.k8s.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A list's {@code fieldSelector} ({@code involvedObject.name=web,type!=Normal}), which
 * {@code kubectl describe} uses to find an object's Events and {@code kubectl delete} to wait.
 */
record FieldSelector(List<Term> terms) {
    record Term(String[] path, String value, boolean equal) {
        boolean matches(JsonNode object) {
            JsonNode node = object;
            for (String part : path) {
                node = node.path(part);
            }
            return node.asText("").equals(value) == equal;
        }
    }

    static FieldSelector parse(String selector) {
        List<Term> terms = new ArrayList<>();
        for (String term : selector.split(",")) {
            if (term.isBlank()) {
                continue;
            }
            boolean equal = !term.contains("!=");
            String[] sides = term.split(equal ? "==?" : "!=", 2);
            terms.add(new Term(sides[0].strip().split("\\."), sides.length > 1 ? sides[1].strip() : "", equal));
        }
        return new FieldSelector(terms);
    }

    /** The list with only the items every term matches. */
    ObjectNode filter(ObjectNode list) {
        ObjectNode result = list.deepCopy();
        ArrayNode items = result.putArray("items");
        list.path("items").forEach(item -> {
            if (terms.stream().allMatch(t -> t.matches(item))) {
                items.add(item);
            }
        });
        return result;
    }
}
