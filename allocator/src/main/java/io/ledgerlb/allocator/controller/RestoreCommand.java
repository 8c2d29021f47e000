package io.ledgerlb.allocator.controller;

import io.ledgerlb.ledger.state.ServiceKey;
import java.util.Objects;

/** An operator's restore-mode command; {@code service} for RELEASE only. */
public record RestoreCommand(Action action, ServiceKey service) {
    public enum Action { START, RELEASE, END }

    public RestoreCommand {
        Objects.requireNonNull(action, "action");
        if ((action == Action.RELEASE) != (service != null)) {
            throw new IllegalArgumentException("a Service (namespace/name) goes with RELEASE, and only with it");
        }
    }

    public static RestoreCommand start() {
        return new RestoreCommand(Action.START, null);
    }

    public static RestoreCommand release(ServiceKey service) {
        return new RestoreCommand(Action.RELEASE, service);
    }

    public static RestoreCommand end() {
        return new RestoreCommand(Action.END, null);
    }
}
