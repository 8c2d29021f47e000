package io.ledgerlb.lab.demo;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polling for what a daemon or process shows once it is ready. */
final class Waits {
    private Waits() {}

    /** Waits for {@code condition} at most {@code seconds}; fails with {@code what} and the diagnostics. */
    static void until(String what, BooleanSupplier condition, int seconds, Supplier<String> diagnostics) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + seconds + " s waiting for " + what + "\n" + diagnostics.get());
            }
            sleep(50);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
