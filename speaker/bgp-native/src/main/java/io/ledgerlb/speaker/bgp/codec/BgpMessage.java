package io.ledgerlb.speaker.bgp.codec;

/** A BGP-4 message (RFC 4271 §4), as decoded by {@link BgpCodec} or to be encoded by it. */
public sealed interface BgpMessage
        permits OpenMessage, UpdateMessage, NotificationMessage, KeepaliveMessage, RouteRefreshMessage {

    int OPEN = 1;
    int UPDATE = 2;
    int NOTIFICATION = 3;
    int KEEPALIVE = 4;
    int ROUTE_REFRESH = 5;

    /** The message type code in the header. */
    int type();
}
