package io.ledgerlb.speaker.bgp.codec;

/**
 * RFC 7606 outcomes short of a session reset (which is a {@link BgpDecodeException}), from the
 * mildest to the strongest; an UPDATE reports the strongest that applied.
 */
public enum ErrorHandling {
    /** Nothing wrong. */
    NONE,
    /** A malformed attribute was dropped; the routes stand with the other attributes. */
    ATTRIBUTE_DISCARD,
    /** The UPDATE's routes must be handled as if withdrawn. */
    TREAT_AS_WITHDRAW;

    public ErrorHandling max(ErrorHandling other) {
        return compareTo(other) >= 0 ? this : other;
    }
}
