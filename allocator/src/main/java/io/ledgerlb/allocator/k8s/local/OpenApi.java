package io.ledgerlb.allocator.k8s.local;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Just enough OpenAPI v3 for kubectl to see that the server takes {@code fieldValidation}: kubectl
 * then leaves validation to the server (which stores objects as sent) instead of asking for
 * schemas. No schemas are served, so {@code kubectl apply} computes its patches from the types
 * compiled into kubectl (built-ins) or as JSON merge patches (custom resources).
 */
final class OpenApi {
    static final String PREFIX = "/openapi/v3";
    static final String V2_PROTOBUF_TYPE = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    private OpenApi() {
    }

    static Map<String, Object> root() {
        Map<String, Object> paths = new LinkedHashMap<>();
        Discovery.RESOURCES.keySet().forEach(gv -> paths.put(apiPath(gv),
                Map.of("serverRelativeURL", PREFIX + "/" + apiPath(gv) + "?hash=ledgerlb")));
        return Map.of("paths", paths);
    }

    /** @param path what follows {@code /openapi/v3/}, e.g. {@code apis/metallb.io/v1beta1} */
    static Optional<Map<String, Object>> groupVersion(String path) {
        return Discovery.RESOURCES.entrySet().stream().filter(e -> apiPath(e.getKey()).equals(path)).findFirst()
                .map(e -> {
                    String gv = e.getKey();
                    String group = gv.contains("/") ? gv.substring(0, gv.indexOf('/')) : "";
                    String version = gv.substring(gv.indexOf('/') + 1);
                    Map<String, Object> paths = new LinkedHashMap<>();
                    for (Discovery.Resource r : e.getValue()) {
                        String collection = "/" + path + (r.namespaced() ? "/namespaces/{namespace}/" : "/") + r.plural();
                        Map<String, Object> gvk = Map.of("group", group, "version", version, "kind", r.kind());
                        List<Map<String, Object>> parameters = List.of(Map.of(
                                "name", "fieldValidation", "in", "query", "schema", Map.of("type", "string")));
                        paths.put(collection + "/{name}", Map.of("patch", Map.of(
                                "x-kubernetes-group-version-kind", gvk, "parameters", parameters,
                                "responses", Map.of())));
                    }
                    return Map.of("openapi", "3.0.0", "info", Map.of("title", "ledgerlb local", "version", "v1"),
                            "paths", paths, "components", Map.of("schemas", Map.of()));
                });
    }

    /**
     * An OpenAPI v2 document with no definitions, in the protobuf form older kubectl (≤ 1.26) asks
     * for: {@code swagger: "2.0"} (field 1, a string). With no schema for a kind, kubectl skips
     * client-side validation and patches with the types compiled into it.
     */
    static byte[] emptyV2Protobuf() {
        return new byte[] {0x0a, 3, '2', '.', '0'};
    }

    private static String apiPath(String groupVersion) {
        return groupVersion.contains("/") ? "apis/" + groupVersion : "api/" + groupVersion;
    }
}
