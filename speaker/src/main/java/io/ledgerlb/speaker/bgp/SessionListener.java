package io.ledgerlb.speaker.bgp;

/** Told when a session changes state (on the backend's thread; keep it short). */
@FunctionalInterface
public interface SessionListener {
    void stateChanged(BgpPeerConfig peer, SessionState from, SessionState to, String reason);

    SessionListener NONE = (peer, from, to, reason) -> { };
}
