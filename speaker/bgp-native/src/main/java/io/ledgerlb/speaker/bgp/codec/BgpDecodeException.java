package io.ledgerlb.speaker.bgp.codec;

/**
 * A message that cannot be accepted: the session must be reset with the NOTIFICATION this carries
 * (RFC 4271 §6; RFC 7606 "session reset"). The lighter RFC 7606 outcomes do not throw: they are
 * reported on the decoded {@link UpdateMessage}.
 */
public final class BgpDecodeException extends Exception {
    private final transient NotificationMessage notification;

    public BgpDecodeException(int code, int subcode, byte[] data, String message) {
        super(message + " (NOTIFICATION " + code + "/" + subcode + ")");
        this.notification = new NotificationMessage(code, subcode, data);
    }

    public BgpDecodeException(int code, int subcode, String message) {
        this(code, subcode, new byte[0], message);
    }

    /** What to send to the peer before closing the connection. */
    public NotificationMessage notification() {
        return notification;
    }
}
