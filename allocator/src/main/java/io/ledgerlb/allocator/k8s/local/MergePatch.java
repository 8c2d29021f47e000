package io.ledgerlb.allocator.k8s.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JSON merge patch (RFC 7386), and the parts of Kubernetes' strategic merge patch that
 * {@code kubectl apply} sends: lists of objects merged by the key their {@code $setElementOrder}
 * names, {@code $patch: delete|replace}, {@code $retainKeys} and {@code $deleteFromPrimitiveList}.
 * Any other list is replaced. The mock server's own merge patch appends to lists instead.
 */
final class MergePatch {
    private static final String ORDER = "$setElementOrder/";
    private static final String DELETE_FROM = "$deleteFromPrimitiveList/";

    private MergePatch() {
    }

    /** The target with the patch applied; the target is not changed. Null: the patch deletes it. */
    static JsonNode apply(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        String directive = patch.path("$patch").asText("");
        if (directive.equals("delete")) {
            return null;
        }
        ObjectNode result = target != null && target.isObject() && !directive.equals("replace")
                ? ((ObjectNode) target).deepCopy() : JsonNodeFactory.instance.objectNode();
        Map<String, JsonNode> orders = new LinkedHashMap<>();
        JsonNode retainKeys = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey();
            JsonNode value = field.getValue();
            if (key.equals("$patch")) {
                continue;
            } else if (key.equals("$retainKeys")) {
                retainKeys = value;
            } else if (key.startsWith(ORDER)) {
                orders.put(key.substring(ORDER.length()), value);
            } else if (key.startsWith(DELETE_FROM)) {
                deleteFromList(result, key.substring(DELETE_FROM.length()), value);
            } else if (value.isNull()) {
                result.remove(key);
            } else if (value.isObject()) {
                JsonNode merged = apply(result.get(key), value);
                if (merged == null) {
                    result.remove(key);
                } else {
                    result.set(key, merged);
                }
            } else if (!value.isArray()) {
                result.set(key, value);
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getValue().isArray() && !field.getKey().startsWith("$")) {
                result.set(field.getKey(), mergeList(result.get(field.getKey()), field.getValue(),
                        orders.remove(field.getKey())));
            }
        }
        orders.forEach((key, order) -> {  // order changed, no element did
            if (result.get(key) != null) {
                result.set(key, mergeList(result.get(key), JsonNodeFactory.instance.arrayNode(), order));
            }
        });
        if (retainKeys != null) {
            Set<String> keep = new HashSet<>();
            retainKeys.forEach(k -> keep.add(k.asText()));
            result.retain(keep);
        }
        return result;
    }

    private static JsonNode mergeList(JsonNode current, JsonNode patch, JsonNode order) {
        if (order == null || !order.isArray() || current == null || !current.isArray()) {
            return withoutDirectives(patch);
        }
        if (order.size() > 0 && !order.get(0).isObject() || patch.size() > 0 && !patch.get(0).isObject()) {
            return unionInOrder(current, patch, order);
        }
        String mergeKey = mergeKey(order, patch);
        if (mergeKey == null) {
            return withoutDirectives(patch);
        }
        Map<JsonNode, JsonNode> byKey = new LinkedHashMap<>();
        current.forEach(element -> byKey.put(element.get(mergeKey), element));
        for (JsonNode element : patch) {
            JsonNode key = element.get(mergeKey);
            JsonNode merged = apply(byKey.get(key), element);
            if (merged == null) {
                byKey.remove(key);
            } else {
                byKey.put(key, merged);
            }
        }
        ArrayNode result = JsonNodeFactory.instance.arrayNode();
        for (JsonNode entry : order) {
            JsonNode element = byKey.remove(entry.get(mergeKey));
            if (element != null) {
                result.add(element);
            }
        }
        byKey.values().forEach(result::add);  // added by someone else since: kept, as the API server does
        return result;
    }

    private static String mergeKey(JsonNode order, JsonNode patch) {
        JsonNode sample = order.size() > 0 ? order.get(0) : patch.size() > 0 ? patch.get(0) : null;
        if (sample == null) {
            return null;
        }
        for (Iterator<String> names = sample.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.startsWith("$")) {
                return name;
            }
        }
        return null;
    }

    private static JsonNode unionInOrder(JsonNode current, JsonNode patch, JsonNode order) {
        List<JsonNode> all = new ArrayList<>();
        order.forEach(all::add);
        current.forEach(v -> {
            if (!all.contains(v)) {
                all.add(v);
            }
        });
        patch.forEach(v -> {
            if (!all.contains(v)) {
                all.add(v);
            }
        });
        return JsonNodeFactory.instance.arrayNode().addAll(all);
    }

    private static void deleteFromList(ObjectNode result, String key, JsonNode values) {
        JsonNode list = result.get(key);
        if (list != null && list.isArray()) {
            ArrayNode kept = JsonNodeFactory.instance.arrayNode();
            list.forEach(v -> {
                boolean deleted = false;
                for (JsonNode d : values) {
                    deleted |= d.equals(v);
                }
                if (!deleted) {
                    kept.add(v);
                }
            });
            result.set(key, kept);
        }
    }

    private static JsonNode withoutDirectives(JsonNode list) {
        ArrayNode result = JsonNodeFactory.instance.arrayNode();
        for (JsonNode element : list) {
            if (element.isObject()) {
                if (!element.path("$patch").asText("").equals("delete")) {
                    result.add(apply(null, element));
                }
            } else {
                result.add(element);
            }
        }
        return result;
    }
}
