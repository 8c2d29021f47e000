package io.ledgerlb.allocator.core;

/** Why a request cannot be met: a short CamelCase reason and a message for the user. */
final class Refusal extends Exception {
    private final String reason;

    Refusal(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    String reason() {
        return reason;
    }
}
