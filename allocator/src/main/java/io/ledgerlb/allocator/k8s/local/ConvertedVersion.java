package io.ledgerlb.allocator.k8s.local;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.ledgerlb.allocator.k8s.crd.MetalLb;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A version of a custom resource that the local API serves but does not store, converted as an
 * API server converts with strategy {@code None} (as {@code deploy/crds} declares for BGPPeer):
 * requests to it are answered from the stored version with {@code apiVersion} changed, and what
 * is written through it is stored with the stored version's {@code apiVersion}. Watches included.
 * Every answer carries the version's deprecation warning, which kubectl prints.
 */
record ConvertedVersion(String group, String served, String stored, String plural, String kind, String warning) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** BGPPeer {@code v1beta1}, stored as {@code v1beta2}: its fields are a subset of v1beta2's. */
    static final ConvertedVersion BGP_PEER_V1BETA1 = new ConvertedVersion(MetalLb.GROUP, MetalLb.V1BETA1,
            MetalLb.V1BETA2, "bgppeers", "BGPPeer", "v1beta1 is deprecated, please use v1beta2");

    /** Whether a request path (without its query) is one of this version's resources. */
    boolean matches(String path) {
        String prefix = "/apis/" + group + "/" + served + "/";
        if (!path.startsWith(prefix)) {
            return false;
        }
        String[] segments = path.substring(prefix.length()).split("/");
        int resource = segments.length >= 3 && segments[0].equals("namespaces") ? 2 : 0;
        return segments.length > resource && segments[resource].equals(plural);
    }

    /** The request as made to the stored version. */
    RecordedRequest toStored(RecordedRequest request) throws IOException {
        String path = request.getPath().replaceFirst("^/apis/" + group + "/" + served + "/",
                "/apis/" + group + "/" + stored + "/");
        byte[] body = request.getBody() == null ? new byte[0] : request.getBody().getBytes();
        if (body.length > 0) {
            JsonNode json = JSON.readTree(body);
            if (json instanceof ObjectNode object && apiVersion(served).equals(object.path("apiVersion").asText())) {
                object.put("apiVersion", apiVersion(stored));
                body = JSON.writeValueAsBytes(object);
            }
        }
        return new RecordedRequest(request.getHttpVersion(), request.method(), path, request.getHeaders(), new Buffer(body));
    }

    /** The stored version's answer as this version gives it. */
    MockResponse toServed(MockResponse response) throws IOException {
        response.setHeader("Warning", "299 - \"" + warning + "\"");
        WebSocketListener watch = response.getWebSocketListener();
        if (watch != null) {
            return response.withWebSocketUpgrade(new ServedWatch(watch));
        }
        if (response.getBody() != null && response.getBody().size() > 0) {
            response.setBody(toServed(response.getBody().getBytes()));
        }
        return response;
    }

    private byte[] toServed(byte[] json) throws IOException {
        JsonNode tree = JSON.readTree(json);
        relabel(tree);
        return JSON.writeValueAsBytes(tree);
    }

    /** Every object of this kind (or a list of it) in the tree gets the served apiVersion. */
    private void relabel(JsonNode node) {
        if (node instanceof ObjectNode object && apiVersion(stored).equals(object.path("apiVersion").asText())
                && (kind.equals(object.path("kind").asText()) || (kind + "List").equals(object.path("kind").asText()))) {
            object.put("apiVersion", apiVersion(served));
        }
        node.forEach(this::relabel);
    }

    private String apiVersion(String version) {
        return group + "/" + version;
    }

    /**
     * The mock's watch, with every event it sends given in this version. The mock's watch
     * listener sends on the socket it is given at open, and listens to nothing but open, close
     * and failure.
     */
    private final class ServedWatch extends WebSocketListener {
        private final WebSocketListener stored;
        private final Map<WebSocket, WebSocket> sockets = new ConcurrentHashMap<>();

        ServedWatch(WebSocketListener stored) {
            this.stored = stored;
        }

        private WebSocket served(WebSocket socket) {
            return sockets.computeIfAbsent(socket, ServedSocket::new);
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            stored.onOpen(served(webSocket), response);
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            stored.onClosing(served(webSocket), code, reason);
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            stored.onClosed(served(webSocket), code, reason);
            sockets.remove(webSocket);
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            stored.onFailure(served(webSocket), t, response);
            sockets.remove(webSocket);
        }
    }

    /** A watch socket whose outgoing events are relabelled. */
    private final class ServedSocket implements WebSocket {
        private final WebSocket socket;

        ServedSocket(WebSocket socket) {
            this.socket = socket;
        }

        @Override
        public RecordedRequest request() {
            return socket.request();
        }

        @Override
        public boolean send(String text) {
            try {
                return socket.send(new String(toServed(text.getBytes(UTF_8)), UTF_8));
            } catch (IOException notJson) {
                return socket.send(text);
            }
        }

        @Override
        public boolean send(byte[] bytes) {
            try {
                return socket.send(toServed(bytes));
            } catch (IOException notJson) {
                return socket.send(bytes);
            }
        }

        @Override
        public boolean close(int code, String reason) {
            return socket.close(code, reason);
        }
    }
}
