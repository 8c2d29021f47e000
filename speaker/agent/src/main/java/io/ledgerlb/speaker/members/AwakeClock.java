package io.ledgerlb.speaker.members;

/**
 * Time as this speaker lived it: a monotonic clock that counts at most {@code maxStep} for any one
 * gap between readings. Silence is measured on it, so a stall of our own (a full GC, a frozen
 * cgroup, a starved thread) is not taken for our peers' silence: after it, the heartbeats that
 * waited in the socket buffer are folded before anyone is found overdue. Read often (every tick),
 * it runs with the real clock.
 */
final class AwakeClock {
    private final long maxStepNanos;
    private long lastReal;
    private long awake;

    AwakeClock(long maxStepNanos, long startNanos) {
        this.maxStepNanos = maxStepNanos;
        this.lastReal = startNanos;
        this.awake = startNanos;
    }

    long now(long realNanos) {
        long step = realNanos - lastReal;
        if (step > 0) {
            awake += Math.min(step, maxStepNanos);
            lastReal = realNanos;
        }
        return awake;
    }
}
