package io.ledgerlb.speaker.bgp.bfd;

/** Why a received BFD packet was discarded (the checks of RFC 5880 §6.8.6, and of RFC 5881/5883). */
public enum BfdDiscard {
    BAD_VERSION("version is not 1"),
    TOO_SHORT("length below the minimum (24, or 26 with authentication)"),
    LENGTH_EXCEEDS_PAYLOAD("length field larger than the datagram"),
    ZERO_DETECT_MULT("detect mult is 0"),
    MULTIPOINT("multipoint (M) bit set"),
    ZERO_MY_DISCRIMINATOR("my discriminator is 0"),
    ZERO_YOUR_DISCRIMINATOR("your discriminator is 0 in state Init or Up"),
    BAD_AUTH_LENGTH("authentication section length wrong for its type"),
    UNKNOWN_AUTH_TYPE("unknown authentication type"),
    AUTH_NOT_CONFIGURED("authenticated packet, but no authentication is configured"),
    NO_SESSION("no session for its discriminator or source address"),
    BAD_TTL("TTL / hop limit below the session's minimum (GTSM: 255 for single hop)");

    private final String text;

    BfdDiscard(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }
}
