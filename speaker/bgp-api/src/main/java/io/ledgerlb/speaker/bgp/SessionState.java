package io.ledgerlb.speaker.bgp;

/** The RFC 4271 FSM states, which both backends report. */
public enum SessionState {
    IDLE, CONNECT, ACTIVE, OPEN_SENT, OPEN_CONFIRM, ESTABLISHED;

    public boolean up() {
        return this == ESTABLISHED;
    }
}
