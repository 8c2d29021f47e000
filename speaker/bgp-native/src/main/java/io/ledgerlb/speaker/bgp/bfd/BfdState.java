package io.ledgerlb.speaker.bgp.bfd;

/** A BFD session state as carried in the Sta field (RFC 5880 §4.1). */
public enum BfdState {
    ADMIN_DOWN, DOWN, INIT, UP;

    public int code() {
        return ordinal();
    }

    public static BfdState of(int code) {
        return values()[code & 3];
    }
}
