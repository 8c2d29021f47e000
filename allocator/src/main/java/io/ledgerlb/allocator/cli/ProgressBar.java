package io.ledgerlb.allocator.cli;

import io.ledgerlb.ledger.Progress;
import java.io.PrintStream;

/** A progress bar on stderr, drawn only when there is a terminal (never in logs or pipes). */
final class ProgressBar implements Progress, AutoCloseable {
    private static final int WIDTH = 30;
    private final String label;
    private final PrintStream err;
    private final boolean enabled;
    private long lastDrawn = -1;

    ProgressBar(String label) {
        this(label, System.err, System.console() != null);
    }

    ProgressBar(String label, PrintStream err, boolean enabled) {
        this.label = label;
        this.err = err;
        this.enabled = enabled;
    }

    @Override
    public void update(long done, long total) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (lastDrawn > 0 && now - lastDrawn < 100_000_000L && done != total) {
            return;
        }
        lastDrawn = now;
        if (total > 0) {
            int filled = (int) Math.min(WIDTH, done * WIDTH / total);
            err.printf("\r%s [%s%s] %3d%% %,d/%,d", label, "#".repeat(filled), " ".repeat(WIDTH - filled),
                    Math.min(100, done * 100 / total), done, total);
        } else {
            err.printf("\r%s %,d", label, done);
        }
        err.flush();
    }

    @Override
    public void close() {
        if (enabled && lastDrawn > 0) {
            err.println();
        }
    }
}
