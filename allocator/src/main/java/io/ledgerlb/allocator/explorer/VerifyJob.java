package io.ledgerlb.allocator.explorer;

import io.ledgerlb.allocator.admin.LedgerQueries;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A verification of the whole ledger started from the page: one at a time, its progress, and the last result. */
final class VerifyJob {
    private static final Logger log = LoggerFactory.getLogger(VerifyJob.class);

    private final LedgerQueries queries;
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong total = new AtomicLong(-1);
    private Thread running;
    private Instant startedAt;
    private Map<String, Object> last;

    VerifyJob(LedgerQueries queries) {
        this.queries = queries;
    }

    /**
     * Starts a verification unless one runs. Returns its status as it started (read under the
     * same lock, so it says "running" even when the run ends at once), or empty when one was running.
     */
    synchronized Optional<Map<String, Object>> start() {
        if (running != null) {
            return Optional.empty();
        }
        done.set(0);
        total.set(-1);
        startedAt = Instant.now();
        running = new Thread(this::run, "explorer-verify");
        running.setDaemon(true);
        running.start();
        return Optional.of(status());
    }

    private void run() {
        Map<String, Object> result = new LinkedHashMap<>();
        try {
            LedgerQueries.Verification v = queries.verify((d, t) -> {
                done.set(d);
                total.set(t);
            });
            List<String> lines = new ArrayList<>();
            lines.add(v.topic().toString());
            v.journal().ifPresent(j -> lines.add(j.toString()));
            v.index().ifPresent(i -> lines.add(i.toString()));
            result.put("intact", v.intact());
            result.put("lastSequence", v.topic().lastSequence());
            result.put("lines", lines);
            log.info("explorer: verify {}: {}", v.intact() ? "intact" : "FAILED", lines);
        } catch (RuntimeException e) {
            log.error("explorer: verify could not run", e);
            result.put("intact", false);
            result.put("lines", List.of("verify could not run: " + e.getMessage()));
        }
        synchronized (this) {
            result.put("startedAt", startedAt.toString());
            result.put("finishedAt", Instant.now().toString());
            last = result;
            running = null;
        }
    }

    synchronized Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("running", running != null);
        if (running != null) {
            status.put("startedAt", startedAt.toString());
            status.put("done", done.get());
            status.put("total", total.get());
        }
        status.put("last", last);
        return status;
    }
}
