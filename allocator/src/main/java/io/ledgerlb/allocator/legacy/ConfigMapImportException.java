package io.ledgerlb.allocator.legacy;

/** A legacy ConfigMap that cannot be imported; the message starts with the offending key. */
public final class ConfigMapImportException extends RuntimeException {
    private final String key;

    public ConfigMapImportException(String key, String message) {
        super(key.isEmpty() ? message : key + ": " + message);
        this.key = key;
    }

    /** Where in the config the problem is, e.g. {@code address-pools[1].protocol}. */
    public String key() {
        return key;
    }
}
