package io.ledgerlb.speaker.bgp.fsm;

import java.time.Duration;

/** Schedules the FSM's timers on the FSM's own thread; tests pass a fake clock. */
public interface Timers {
    Timer schedule(Duration delay, Runnable action);

    interface Timer {
        void cancel();
    }
}
