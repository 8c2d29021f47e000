package io.ledgerlb.allocator.k8s.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CRUD mock with its objects kept in a file, as a real API server keeps them in etcd: every
 * change is appended to the file (one JSON line: the object, or its removal) before the request
 * is answered, and a start on the same file loads them back (and rewrites the file compacted).
 * A {@code kill -9} loses nothing that was acknowledged.
 */
final class PersistentCrudDispatcher extends KubernetesCrudDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(PersistentCrudDispatcher.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private BufferedWriter out;

    PersistentCrudDispatcher(List<CustomResourceDefinitionContext> customResources, Path file) {
        super(customResources);
        this.file = file;
        load();
    }

    /** Loads the objects of the file, then rewrites it holding just them. */
    private void load() {
        Map<String, ObjectNode> live = new LinkedHashMap<>();
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (line.isBlank()) {
                        continue;
                    }
                    ObjectNode change;
                    try {
                        change = (ObjectNode) JSON.readTree(line);
                    } catch (IOException | ClassCastException torn) {
                        LOG.warn("passing over a damaged line of {} (a write cut short): {}", file, torn.getMessage());
                        continue;
                    }
                    String id = change.path("id").asText();
                    if (change.hasNonNull("object")) {
                        live.put(id, change);
                    } else {
                        live.remove(id);
                    }
                }
            }
            for (ObjectNode change : live.values()) {
                String path = change.path("path").asText();
                super.processEvent(path, getKey(path), null, null, JSON.writeValueAsString(change.get("object")));
            }
            Path compacted = file.resolveSibling(file.getFileName() + ".tmp");
            try (BufferedWriter w = Files.newBufferedWriter(compacted, StandardCharsets.UTF_8)) {
                for (ObjectNode change : live.values()) {
                    w.write(JSON.writeValueAsString(change));
                    w.newLine();
                }
            }
            Files.move(compacted, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            if (!live.isEmpty()) {
                LOG.info("local Kubernetes API: {} objects loaded from {}", live.size(), file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the local Kubernetes API's objects from " + file, e);
        }
    }

    @Override
    public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
                             GenericKubernetesResource resource, String newState) {
        String old = oldAttributes == null ? null : getMap().get(oldAttributes);
        super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
        try {
            if (newState != null) {
                JsonNode object = JSON.readTree(newState);
                String id = identity(object);
                if (old != null && !identity(JSON.readTree(old)).equals(id)) {
                    record(identity(JSON.readTree(old)), null, null);
                }
                record(id, collectionPath(path), object);
            } else if (old != null) {
                record(identity(JSON.readTree(old)), null, null);
            }
        } catch (IOException e) {
            // the change is in memory; a restart would not see it, so say so loudly
            LOG.error("local Kubernetes API: could not persist a change of {} to {}: {}", path, file, e.getMessage());
        }
    }

    private synchronized void record(String id, String path, JsonNode object) throws IOException {
        ObjectNode line = JSON.createObjectNode().put("id", id);
        if (object != null) {
            line.put("path", path);
            line.set("object", object);
        }
        out.write(JSON.writeValueAsString(line));
        out.newLine();
        out.flush(); // into the OS before the answer: survives the process, as the brief's kill -9 needs
    }

    private static String identity(JsonNode object) {
        JsonNode meta = object.path("metadata");
        return object.path("apiVersion").asText() + "/" + object.path("kind").asText() + "/"
                + meta.path("namespace").asText() + "/" + meta.path("name").asText();
    }

    /** The collection an object's request path names ({@code .../services/web/status} → {@code .../services}). */
    private String collectionPath(String path) {
        Map<String, String> parts = getAttributeExtractorKubernetes().fromKubernetesPath(path);
        String api = parts.get("api");
        String version = parts.get("version");
        String namespace = parts.get("namespace");
        return (api == null ? "/api/" + version : "/apis/" + api + "/" + version)
                + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + parts.get("plural");
    }

    private io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor getAttributeExtractorKubernetes() {
        return (io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor) getAttributeExtractor();
    }

    synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            LOG.warn("closing {}: {}", file, e.getMessage());
        }
    }
}
