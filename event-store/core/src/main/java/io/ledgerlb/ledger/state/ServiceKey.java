package io.ledgerlb.ledger.state;

import io.ledgerlb.events.v1.ServiceRef;

/** A Service by namespace and name: stable across delete and re-create, unlike its uid. */
public record ServiceKey(String namespace, String name) implements Comparable<ServiceKey> {

    public static ServiceKey of(ServiceRef ref) {
        return new ServiceKey(ref.getNamespace(), ref.getName());
    }

    public static ServiceKey parse(String namespacedName) {
        int slash = namespacedName.indexOf('/');
        if (slash <= 0 || slash == namespacedName.length() - 1) {
            throw new IllegalArgumentException("expected namespace/name, got '" + namespacedName + "'");
        }
        return new ServiceKey(namespacedName.substring(0, slash), namespacedName.substring(slash + 1));
    }

    @Override
    public int compareTo(ServiceKey o) {
        int c = namespace.compareTo(o.namespace);
        return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
