package io.ledgerlb.speaker.bgp.fsm;

import io.ledgerlb.speaker.bgp.SessionState;

/** What the FSM reports, for logs, metrics and the speaker's listener. */
public interface FsmObserver {
    void stateChanged(SessionState from, SessionState to, String reason);

    /** UPDATE messages sent (End-of-RIB markers included). */
    default void updatesSent(int count) {
    }

    /** The number of prefixes the peer now holds from this session. */
    default void announced(int prefixes) {
    }

    FsmObserver NONE = (from, to, reason) -> { };
}
