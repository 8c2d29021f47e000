package io.ledgerlb.allocator.k8s.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an API server enforces from a CRD, one line per fact: each version's flags and printer
 * columns, and each schema node's type and validation keywords (descriptions left out). Two CRDs
 * that give the same lines accept the same objects and show the same columns.
 */
final class CrdFacts {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private CrdFacts() {
    }

    static List<String> of(Path crdYaml) throws IOException {
        return of(YAML.readTree(crdYaml.toFile()));
    }

    static List<String> of(JsonNode crd) {
        List<String> facts = new ArrayList<>();
        String plural = crd.at("/spec/names/plural").asText();
        facts.add(plural + " scope=" + crd.at("/spec/scope").asText() + " kind=" + crd.at("/spec/names/kind").asText()
                + " conversion=" + crd.at("/spec/conversion/strategy").asText("None"));
        for (JsonNode version : crd.at("/spec/versions")) {
            String prefix = plural + "/" + version.path("name").asText();
            facts.add(prefix + " served=" + version.path("served").asBoolean()
                    + " storage=" + version.path("storage").asBoolean()
                    + " deprecated=" + version.path("deprecated").asBoolean()
                    + " statusSubresource=" + version.at("/subresources/status").isObject());
            for (JsonNode column : version.path("additionalPrinterColumns")) {
                facts.add(prefix + " column " + column.path("name").asText() + " " + column.path("jsonPath").asText()
                        + " " + column.path("type").asText()
                        + (column.path("priority").asInt() != 0 ? " priority=" + column.path("priority").asInt() : ""));
            }
            walk(prefix, "", version.at("/schema/openAPIV3Schema"), facts);
        }
        return facts;
    }

    /** A keyword's value; 255.0 and 255 are the same number to an API server. */
    private static String text(JsonNode value) {
        if (value.isTextual()) {
            return value.asText();
        }
        if (value.isNumber() && value.asDouble() == Math.rint(value.asDouble())) {
            return Long.toString(value.asLong());
        }
        return value.toString();
    }

    private static void walk(String prefix, String path, JsonNode node, List<String> facts) {
        Map<String, String> keywords = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            switch (field.getKey()) {
                case "description", "properties", "items" -> { }
                case "additionalProperties" -> {
                    if (!field.getValue().isObject()) {
                        keywords.put(field.getKey(), field.getValue().toString());
                    }
                }
                case "x-kubernetes-validations" -> {
                    List<String> rules = new ArrayList<>();
                    field.getValue().forEach(rule -> rules.add(rule.path("rule").asText()
                            + (rule.has("message") ? " => " + rule.path("message").asText() : "")));
                    keywords.put(field.getKey(), String.join(" ;; ", rules.stream().sorted().toList()));
                }
                case "required", "enum" -> { // sets: their order changes nothing
                    List<String> names = new ArrayList<>();
                    field.getValue().forEach(name -> names.add(name.asText()));
                    keywords.put(field.getKey(), String.join(",", names.stream().sorted().toList()));
                }
                default -> keywords.put(field.getKey(), text(field.getValue()));
            }
        }
        StringBuilder line = new StringBuilder(prefix).append(' ').append(path.isEmpty() ? "." : path);
        keywords.forEach((key, value) -> line.append(" | ").append(key).append('=').append(value));
        facts.add(line.toString());
        node.path("properties").fields().forEachRemaining(property -> {
            if (!(path.isEmpty() && List.of("apiVersion", "kind", "metadata").contains(property.getKey()))) {
                walk(prefix, path + "." + property.getKey(), property.getValue(), facts);
            }
        });
        if (node.path("items").isObject()) {
            walk(prefix, path + "[]", node.path("items"), facts);
        }
        if (node.path("additionalProperties").isObject()) {
            walk(prefix, path + "{}", node.path("additionalProperties"), facts);
        }
    }
}
