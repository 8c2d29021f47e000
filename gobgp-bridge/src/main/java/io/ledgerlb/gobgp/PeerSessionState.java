package io.ledgerlb.gobgp;

import io.ledgerlb.gobgp.api.PeerState;

/** A neighbor's RFC 4271 state as gobgpd reports it; UNREACHABLE while gobgpd cannot be asked. */
public enum PeerSessionState {
    UNREACHABLE, IDLE, CONNECT, ACTIVE, OPEN_SENT, OPEN_CONFIRM, ESTABLISHED;

    static PeerSessionState of(PeerState.SessionState api) {
        return switch (api) {
            case CONNECT -> CONNECT;
            case ACTIVE -> ACTIVE;
            case OPENSENT -> OPEN_SENT;
            case OPENCONFIRM -> OPEN_CONFIRM;
            case ESTABLISHED -> ESTABLISHED;
            default -> IDLE;
        };
    }
}
