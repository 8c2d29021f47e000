package io.ledgerlb.speaker.members;

/** Why a membership datagram was not believed; {@link #label()} is the metric's {@code reason}. */
final class DroppedDatagram extends Exception {
    enum Reason {
        /** not sealed with a key we hold: forged, garbage, an unkeyed speaker, a key not rolled out yet */
        UNAUTHENTICATED,
        /** a genuine datagram seen before */
        REPLAYED,
        /** a genuine datagram too old, or from an earlier run of its sender */
        STALE,
        /** sealed with our key but claiming what its sender cannot: someone else's entry first, an incarnation from the future */
        IMPLAUSIBLE;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Reason reason;

    DroppedDatagram(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    Reason reason() {
        return reason;
    }
}
