package io.ledgerlb.ledger.trace;

/** TEMPORARY: latency breakdown of ledger → route (LedgerToRouteBench); prints "TRACE stage sequence nanoTime". */
public final class LatencyTrace {
    public static final boolean ON = Boolean.getBoolean("ledgerlb.trace");

    private LatencyTrace() {}

    public static void mark(String stage, long sequence) {
        mark(stage, sequence, System.nanoTime());
    }

    public static void mark(String stage, long sequence, long nanos) {
        if (ON) {
            System.err.println("TRACE " + stage + " " + sequence + " " + nanos);
        }
    }
}
