package io.ledgerlb.allocator.cli;

/** A usage or configuration error: the command exits with status 2 and this message. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
