package io.ledgerlb.speaker.bgp.codec;

import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.BAD_MESSAGE_LENGTH;
import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.BAD_MESSAGE_TYPE;
import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.CONNECTION_NOT_SYNCHRONIZED;
import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.MESSAGE_HEADER_ERROR;

import java.util.Arrays;

/**
 * Frames, decodes and encodes BGP messages (RFC 4271 §4). Pure: no I/O, no state. Decoding
 * throws only {@link BgpDecodeException}, which carries the NOTIFICATION to send.
 *
 * <p>{@code fourOctetAs} says whether both sides announced the 4-octet AS capability (RFC 6793):
 * it decides the width of AS numbers in AS_PATH and AGGREGATOR.
 */
public final class BgpCodec {
    public static final int HEADER_LENGTH = 19;
    public static final int MAX_MESSAGE_LENGTH = 4096;

    private BgpCodec() {
    }

    /**
     * Checks a message header (the first 19 bytes) and returns the whole message's length, so
     * that a reader knows how much more to read.
     */
    public static int messageLength(byte[] header) throws BgpDecodeException {
        if (header.length < HEADER_LENGTH) {
            throw new BgpDecodeException(MESSAGE_HEADER_ERROR, BAD_MESSAGE_LENGTH, "short header");
        }
        for (int i = 0; i < 16; i++) {
            if (header[i] != (byte) 0xFF) {
                throw new BgpDecodeException(MESSAGE_HEADER_ERROR, CONNECTION_NOT_SYNCHRONIZED, "marker is not all ones");
            }
        }
        int length = ((header[16] & 0xFF) << 8) | (header[17] & 0xFF);
        int type = header[18] & 0xFF;
        byte[] lengthField = {header[16], header[17]};
        int minimum = switch (type) {
            case BgpMessage.OPEN -> 29;
            case BgpMessage.UPDATE -> 23;
            case BgpMessage.NOTIFICATION -> 21;
            case BgpMessage.KEEPALIVE -> HEADER_LENGTH;
            case BgpMessage.ROUTE_REFRESH -> 23;
            default -> throw new BgpDecodeException(MESSAGE_HEADER_ERROR, BAD_MESSAGE_TYPE, new byte[]{(byte) type},
                    "unknown message type " + type);
        };
        boolean fixed = type == BgpMessage.KEEPALIVE || type == BgpMessage.ROUTE_REFRESH;
        if (length < minimum || length > MAX_MESSAGE_LENGTH || (fixed && length != minimum)) {
            throw new BgpDecodeException(MESSAGE_HEADER_ERROR, BAD_MESSAGE_LENGTH, lengthField,
                    "bad length " + length + " for message type " + type);
        }
        return length;
    }

    /** Decodes one whole message (header included). */
    public static BgpMessage decode(byte[] message, boolean fourOctetAs) throws BgpDecodeException {
        int length = messageLength(message);
        if (length != message.length) {
            throw new BgpDecodeException(MESSAGE_HEADER_ERROR, BAD_MESSAGE_LENGTH,
                    Arrays.copyOfRange(message, 16, 18), "length field " + length + " but " + message.length + " bytes");
        }
        Cursor body = new Cursor(message, HEADER_LENGTH, length);
        try {
            return switch (message[18] & 0xFF) {
                case BgpMessage.OPEN -> OpenCodec.decode(body);
                case BgpMessage.UPDATE -> UpdateCodec.decode(body, fourOctetAs);
                case BgpMessage.NOTIFICATION -> new NotificationMessage(body.u8(), body.u8(), body.bytes(body.remaining()));
                case BgpMessage.KEEPALIVE -> KeepaliveMessage.INSTANCE;
                default -> routeRefresh(body);
            };
        } catch (Cursor.Overrun e) {
            // every message parser checks its own lengths; this is the last line of defence
            throw new BgpDecodeException(MESSAGE_HEADER_ERROR, BAD_MESSAGE_LENGTH,
                    Arrays.copyOfRange(message, 16, 18), "message shorter than its fields");
        }
    }

    private static RouteRefreshMessage routeRefresh(Cursor body) throws Cursor.Overrun {
        int afi = body.u16();
        body.u8(); // reserved (RFC 7313: message subtype)
        return new RouteRefreshMessage(new AddressFamily(afi, body.u8()));
    }

    /** Encodes a message with its header. */
    public static byte[] encode(BgpMessage message, boolean fourOctetAs) {
        Bytes body = new Bytes();
        if (message instanceof OpenMessage open) {
            OpenCodec.encode(open, body);
        } else if (message instanceof UpdateMessage update) {
            UpdateCodec.encode(update, fourOctetAs, body);
        } else if (message instanceof NotificationMessage n) {
            body.u8(n.code()).u8(n.subcode()).bytes(n.data());
        } else if (message instanceof RouteRefreshMessage r) {
            body.u16(r.family().afi()).u8(0).u8(r.family().safi());
        }
        int length = HEADER_LENGTH + body.size();
        if (length > MAX_MESSAGE_LENGTH) {
            throw new IllegalArgumentException("message of " + length + " bytes exceeds " + MAX_MESSAGE_LENGTH);
        }
        Bytes out = new Bytes();
        for (int i = 0; i < 16; i++) {
            out.u8(0xFF);
        }
        return out.u16(length).u8(message.type()).bytes(body.toArray()).toArray();
    }
}
