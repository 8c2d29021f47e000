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

    /** Prefixes whose UPDATE waits for the connection to become writable (0: none held back). */
    default void heldBack(int prefixes) {
    }

    /**
     * The session went down ({@code wasEstablished}), or an attempt to bring it up failed: a
     * NOTIFICATION either way (code/subcode), a connection that closed or could not be opened.
     * {@code cause} names it without timing (no retry delay), so equal causes compare equal.
     * Not called for a stop the speaker asked for, nor for a connection lost to collision resolution.
     */
    default void failed(boolean wasEstablished, String cause) {
    }

    FsmObserver NONE = (from, to, reason) -> { };
}
