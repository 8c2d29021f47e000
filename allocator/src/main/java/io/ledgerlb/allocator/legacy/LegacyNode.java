package io.ledgerlb.allocator.legacy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A node of the parsed legacy config that knows its key path, so that every error names it. */
record LegacyNode(JsonNode node, String key) {

    LegacyNode field(String name) {
        return new LegacyNode(node.get(name), key.isEmpty() ? name : key + "." + name);
    }

    boolean present() {
        return node != null && !node.isNull();
    }

    /** Fails on keys outside {@code known}: a typo must not silently drop configuration. */
    LegacyNode withKeys(Set<String> known) {
        if (!present()) {
            return this;
        }
        if (!node.isObject()) {
            throw error("must be a mapping");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new ConfigMapImportException(field(name).key(), "unknown key (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
        return this;
    }

    List<LegacyNode> items() {
        if (!present()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw error("must be a list");
        }
        List<LegacyNode> items = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            items.add(new LegacyNode(node.get(i), key + "[" + i + "]"));
        }
        return items;
    }

    String text() {
        if (!present()) {
            return null;
        }
        if (!node.isValueNode()) {
            throw error("must be a single value");
        }
        return node.asText();
    }

    String requiredText() {
        String text = text();
        if (text == null || text.isBlank()) {
            throw error("required");
        }
        return text;
    }

    List<String> texts() {
        return items().stream().map(LegacyNode::requiredText).toList();
    }

    Map<String, String> textMap() {
        Map<String, String> map = new LinkedHashMap<>();
        if (present()) {
            if (!node.isObject()) {
                throw error("must be a mapping");
            }
            node.fieldNames().forEachRemaining(name -> map.put(name, field(name).requiredText()));
        }
        return map;
    }

    Boolean bool() {
        if (!present()) {
            return null;
        }
        if (!node.isBoolean()) {
            throw error("must be true or false, not \"" + node.asText() + "\"");
        }
        return node.asBoolean();
    }

    /** A whole number in [min, max], or null when absent. */
    Long number(long min, long max) {
        if (!present()) {
            return null;
        }
        if (!node.isIntegralNumber() || node.asLong() < min || node.asLong() > max) {
            throw error("must be a whole number from " + min + " to " + max + ", not \"" + node.asText() + "\"");
        }
        return node.asLong();
    }

    Long requiredNumber(long min, long max) {
        if (!present()) {
            throw error("required");
        }
        return number(min, max);
    }

    ConfigMapImportException error(String message) {
        return new ConfigMapImportException(key, message);
    }
}
