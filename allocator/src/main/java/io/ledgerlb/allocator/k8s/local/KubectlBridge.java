package io.ledgerlb.allocator.k8s.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Sits in front of the CRUD mock and gives kubectl what it expects of an API server: discovery
 * and OpenAPI documents, JSON content types, Tables for {@code get}, list field selectors,
 * strategic and JSON merge patches applied properly, BGPPeer v1beta1 served from v1beta2
 * ({@link ConvertedVersion}). Everything else goes to the mock unchanged.
 */
final class KubectlBridge extends Dispatcher {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = "application/json";

    private final Dispatcher crud;
    private final TableView tables;

    KubectlBridge(Dispatcher crud, Clock clock) {
        this.crud = crud;
        this.tables = new TableView(clock);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String path = request.getPath();
        int q = path.indexOf('?');
        String bare = q < 0 ? path : path.substring(0, q);
        Map<String, String> query = query(q < 0 ? "" : path.substring(q + 1));
        try {
            Optional<MockResponse> served = discovery(bare).map(doc -> json(200, doc));
            if (served.isPresent()) {
                return served.get();
            }
            if (ConvertedVersion.BGP_PEER_V1BETA1.matches(bare)) {
                return ConvertedVersion.BGP_PEER_V1BETA1.toServed(dispatch(ConvertedVersion.BGP_PEER_V1BETA1.toStored(request)));
            }
            if (query.containsKey("dryRun") && request.method() != HttpMethod.GET) {
                return status(400, "BadRequest", "dry run is not supported by ledgerlb's local Kubernetes API");
            }
            if (isWatch(query) && header(request, "Upgrade") == null) {
                return status(405, "MethodNotAllowed", "ledgerlb's local Kubernetes API streams watches "
                        + "over WebSocket only; kubectl get -w is not supported");
            }
            MockResponse response = switch (request.method()) {
                case PATCH -> patch(request, bare);
                case GET -> get(request, bare, query);
                default -> crud.dispatch(request);
            };
            return withJsonType(response);
        } catch (IOException e) {
            return status(400, "BadRequest", "malformed JSON: " + e.getMessage());
        }
    }

    private Optional<Object> discovery(String path) {
        if (path.equals("/version") || path.equals("/version/")) {
            return Optional.of(Discovery.version());
        }
        if (path.equals("/api")) {
            return Optional.of(Discovery.coreVersions());
        }
        if (path.equals("/apis")) {
            return Optional.of(Discovery.groups());
        }
        if (path.equals("/api/v1")) {
            return Discovery.resourceList("v1").map(Object.class::cast);
        }
        if (path.startsWith("/apis/") && path.chars().filter(c -> c == '/').count() == 3) {
            return Discovery.resourceList(path.substring("/apis/".length())).map(Object.class::cast);
        }
        if (path.equals(OpenApi.PREFIX)) {
            return Optional.of(OpenApi.root());
        }
        if (path.startsWith(OpenApi.PREFIX + "/")) {
            return OpenApi.groupVersion(path.substring(OpenApi.PREFIX.length() + 1)).map(Object.class::cast);
        }
        return Optional.empty();
    }

    private MockResponse get(RecordedRequest request, String path, Map<String, String> query)
            throws IOException {
        if (path.equals("/openapi/v2") || path.equals("/swagger-2.0.0.pb-v1")) {
            return new MockResponse().setResponseCode(200).setHeader("Content-Type", OpenApi.V2_PROTOBUF_TYPE)
                    .setBody(OpenApi.emptyV2Protobuf());
        }
        String fieldSelector = isWatch(query) ? null : query.get("fieldSelector");
        // The mock matches field selectors only against the few fields it indexes (an Event's
        // involvedObject is not one): list everything and select here.
        MockResponse response = crud.dispatch(fieldSelector == null ? request
                : new RecordedRequest("HTTP/1.1", HttpMethod.GET, path, request.getHeaders(), new Buffer()));
        if (response.code() != 200 || isWatch(query) || response.getWebSocketListener() != null) {
            return response;
        }
        JsonNode body = JSON.readTree(response.getBody().getBytes());
        if (body.has("items") && fieldSelector != null) {
            body = FieldSelector.parse(fieldSelector).filter((ObjectNode) body);
        }
        if (body.has("items") && body.path("kind").asText().equals("List")) {
            // typed clients (kubectl describe reading Events) decode "List" as nothing
            String plural = path.substring(path.lastIndexOf('/') + 1);
            ObjectNode list = (ObjectNode) body;
            Discovery.kindOf(plural).ifPresent(kind -> list.put("kind", kind + "List")
                    .put("apiVersion", groupVersion(path)));
        }
        String accept = header(request, "Accept");
        if (accept != null && accept.contains("as=Table")) {
            body = tables.table(body);
        }
        return json(200, body);
    }

    /** {@code v1} of {@code /api/v1/...}, {@code apps/v1} of {@code /apis/apps/v1/...} */
    private static String groupVersion(String path) {
        String[] segments = path.split("/");
        return segments[1].equals("api") ? segments[2] : segments[2] + "/" + segments[3];
    }

    /** kubectl apply: the patch applied here to the stored object, written back with a PUT. */
    private MockResponse patch(RecordedRequest request, String path) throws IOException {
        String type = header(request, "Content-Type");
        if (type == null || type.startsWith("application/json-patch+json")) {
            return crud.dispatch(request);
        }
        if (type.startsWith("application/apply-patch")) {
            return status(415, "UnsupportedMediaType", "server-side apply is not supported by ledgerlb's local "
                    + "Kubernetes API; use kubectl apply without --server-side");
        }
        MockResponse current = crud.dispatch(request(HttpMethod.GET, path, null));
        if (current.code() != 200) {
            return current;
        }
        JsonNode merged = MergePatch.apply(JSON.readTree(current.getBody().getBytes()),
                JSON.readTree(request.getBody().getBytes()));
        return crud.dispatch(request(HttpMethod.PUT, path, JSON.writeValueAsBytes(merged)));
    }

    private static RecordedRequest request(HttpMethod method, String path, byte[] body) {
        Headers headers = Headers.builder().add("Content-Type", JSON_TYPE).add("Accept", JSON_TYPE).build();
        return new RecordedRequest("HTTP/1.1", method, path, headers, body == null ? new Buffer() : new Buffer(body));
    }

    private static MockResponse withJsonType(MockResponse response) {
        if (response.getWebSocketListener() == null && response.header("Content-Type") == null) {
            response.setHeader("Content-Type", JSON_TYPE);
        }
        return response;
    }

    /** The header's first value, whatever the case of its name. */
    private static String header(RecordedRequest request, String name) {
        return request.getHeaders().toMultimap().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
                .map(e -> e.getValue().get(0)).findFirst().orElse(null);
    }

    private static boolean isWatch(Map<String, String> query) {
        String watch = query.get("watch");
        return "true".equals(watch) || "1".equals(watch);
    }

    private static MockResponse json(int code, Object body) {
        try {
            return new MockResponse().setResponseCode(code).setHeader("Content-Type", JSON_TYPE)
                    .setBody(JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A {@code meta.k8s.io/v1 Status}, which kubectl prints as "Error from server (reason): message". */
    static MockResponse status(int code, String reason, String message) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.put("metadata", Map.of());
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", reason);
        status.put("code", code);
        return json(code, status);
    }

    private static Map<String, String> query(String query) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (!pair.isEmpty()) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                params.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
    }

    @Override
    public void shutdown() {
        crud.shutdown();
    }
}
