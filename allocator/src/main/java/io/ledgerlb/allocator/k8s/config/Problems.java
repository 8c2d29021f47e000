package io.ledgerlb.allocator.k8s.config;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;

/** Collects the problems of one object, so that the user sees all of them at once. */
final class Problems {
    private final String object;
    private final List<String> found = new ArrayList<>();

    Problems(HasMetadata resource) {
        String namespace = resource.getMetadata().getNamespace();
        this.object = resource.getKind() + " "
                + (namespace == null || namespace.isEmpty() ? "" : namespace + "/") + resource.getMetadata().getName();
    }

    void add(String field, String message) {
        found.add(field + ": " + message);
    }

    void check(boolean ok, String field, String message) {
        if (!ok) {
            add(field, message);
        }
    }

    void throwIfAny() {
        if (!found.isEmpty()) {
            throw new InvalidConfigException(object, found);
        }
    }
}
