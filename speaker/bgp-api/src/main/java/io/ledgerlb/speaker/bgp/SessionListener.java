package io.ledgerlb.speaker.bgp;

/** Told when a session changes state (on the backend's thread; keep it short). */
@FunctionalInterface
public interface SessionListener {
    void stateChanged(BgpPeerConfig peer, SessionState from, SessionState to, String reason);

    /**
     * The session went down after it was established ({@code wasEstablished}), or an attempt to
     * bring it up failed; {@code cause} says why (a NOTIFICATION with its code/subcode, or the I/O
     * error) and is the same text each time the same thing goes wrong.
     */
    default void failed(BgpPeerConfig peer, boolean wasEstablished, String cause) {
    }

    SessionListener NONE = (peer, from, to, reason) -> { };
}
