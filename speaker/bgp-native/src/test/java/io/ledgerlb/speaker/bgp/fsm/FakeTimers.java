package io.ledgerlb.speaker.bgp.fsm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A manual clock: timers fire only when the test advances time. */
final class FakeTimers implements Timers {
    private final List<Scheduled> pending = new ArrayList<>();
    private Duration now = Duration.ZERO;

    private final class Scheduled implements Timer {
        final Duration due;
        final Runnable action;

        Scheduled(Duration due, Runnable action) {
            this.due = due;
            this.action = action;
        }

        @Override
        public void cancel() {
            pending.remove(this);
        }
    }

    @Override
    public Timer schedule(Duration delay, Runnable action) {
        Scheduled s = new Scheduled(now.plus(delay), action);
        pending.add(s);
        return s;
    }

    /** Moves the clock forward, firing due timers in order (including ones they schedule). */
    void advance(Duration by) {
        Duration target = now.plus(by);
        while (true) {
            Scheduled next = pending.stream().filter(s -> s.due.compareTo(target) <= 0)
                    .min(Comparator.comparing(s -> s.due)).orElse(null);
            if (next == null) {
                break;
            }
            pending.remove(next);
            now = next.due;
            next.action.run();
        }
        now = target;
    }

    Duration now() {
        return now;
    }
}
