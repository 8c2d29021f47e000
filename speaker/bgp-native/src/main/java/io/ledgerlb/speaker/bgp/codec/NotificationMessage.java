package io.ledgerlb.speaker.bgp.codec;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/** NOTIFICATION (RFC 4271 §4.5): an error code, a subcode and diagnostic data; the connection closes after it. */
public record NotificationMessage(int code, int subcode, byte[] data) implements BgpMessage {
    public static final int MESSAGE_HEADER_ERROR = 1;
    public static final int OPEN_MESSAGE_ERROR = 2;
    public static final int UPDATE_MESSAGE_ERROR = 3;
    public static final int HOLD_TIMER_EXPIRED = 4;
    public static final int FSM_ERROR = 5;
    public static final int CEASE = 6;

    // Message Header Error subcodes
    public static final int CONNECTION_NOT_SYNCHRONIZED = 1;
    public static final int BAD_MESSAGE_LENGTH = 2;
    public static final int BAD_MESSAGE_TYPE = 3;
    // OPEN Message Error subcodes
    public static final int UNSUPPORTED_VERSION = 1;
    public static final int BAD_PEER_AS = 2;
    public static final int BAD_BGP_IDENTIFIER = 3;
    public static final int UNSUPPORTED_OPTIONAL_PARAMETER = 4;
    public static final int UNACCEPTABLE_HOLD_TIME = 6;
    // UPDATE Message Error subcodes
    public static final int MALFORMED_ATTRIBUTE_LIST = 1;
    public static final int UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE = 2;
    public static final int MISSING_WELL_KNOWN_ATTRIBUTE = 3;
    public static final int ATTRIBUTE_FLAGS_ERROR = 4;
    public static final int ATTRIBUTE_LENGTH_ERROR = 5;
    public static final int INVALID_ORIGIN = 6;
    public static final int INVALID_NEXT_HOP = 8;
    public static final int OPTIONAL_ATTRIBUTE_ERROR = 9;
    public static final int INVALID_NETWORK_FIELD = 10;
    public static final int MALFORMED_AS_PATH = 11;
    // FSM Error subcodes (RFC 6608)
    public static final int UNEXPECTED_IN_OPEN_SENT = 1;
    public static final int UNEXPECTED_IN_OPEN_CONFIRM = 2;
    public static final int UNEXPECTED_IN_ESTABLISHED = 3;
    // Cease subcodes (RFC 4486)
    public static final int ADMINISTRATIVE_SHUTDOWN = 2;
    public static final int PEER_DECONFIGURED = 3;
    public static final int ADMINISTRATIVE_RESET = 4;
    public static final int CONNECTION_COLLISION_RESOLUTION = 7;

    public NotificationMessage {
        data = data.clone();
    }

    public NotificationMessage(int code, int subcode) {
        this(code, subcode, new byte[0]);
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public int type() {
        return NOTIFICATION;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NotificationMessage n && n.code == code && n.subcode == subcode && Arrays.equals(n.data, data);
    }

    @Override
    public int hashCode() {
        return (code * 256 + subcode) * 31 + Arrays.hashCode(data);
    }

    /** "NOTIFICATION 2/2 (OPEN Message Error / Bad Peer AS) data=fde8": the numbers, their RFC names, the data. */
    @Override
    public String toString() {
        String names = subcodeName().map(n -> " (" + codeName() + " / " + n + ")").orElse(" (" + codeName() + ")");
        return "NOTIFICATION " + code + "/" + subcode + names + (data.length == 0 ? "" : " data=" + HexFormat.of().formatHex(data));
    }

    /** The error code's name in RFC 4271 §4.5. */
    private String codeName() {
        return switch (code) {
            case MESSAGE_HEADER_ERROR -> "Message Header Error";
            case OPEN_MESSAGE_ERROR -> "OPEN Message Error";
            case UPDATE_MESSAGE_ERROR -> "UPDATE Message Error";
            case HOLD_TIMER_EXPIRED -> "Hold Timer Expired";
            case FSM_ERROR -> "Finite State Machine Error";
            case CEASE -> "Cease";
            default -> "unknown error code";
        };
    }

    /** The subcode's name (RFC 4271 §6, RFC 5492, RFC 6608, RFC 4486), when the code has named subcodes. */
    private Optional<String> subcodeName() {
        String name = switch (code) {
            case MESSAGE_HEADER_ERROR -> switch (subcode) {
                case CONNECTION_NOT_SYNCHRONIZED -> "Connection Not Synchronized";
                case BAD_MESSAGE_LENGTH -> "Bad Message Length";
                case BAD_MESSAGE_TYPE -> "Bad Message Type";
                default -> null;
            };
            case OPEN_MESSAGE_ERROR -> switch (subcode) {
                case UNSUPPORTED_VERSION -> "Unsupported Version Number";
                case BAD_PEER_AS -> "Bad Peer AS";
                case BAD_BGP_IDENTIFIER -> "Bad BGP Identifier";
                case UNSUPPORTED_OPTIONAL_PARAMETER -> "Unsupported Optional Parameter";
                case UNACCEPTABLE_HOLD_TIME -> "Unacceptable Hold Time";
                case 7 -> "Unsupported Capability";
                default -> null;
            };
            case UPDATE_MESSAGE_ERROR -> switch (subcode) {
                case MALFORMED_ATTRIBUTE_LIST -> "Malformed Attribute List";
                case UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE -> "Unrecognized Well-known Attribute";
                case MISSING_WELL_KNOWN_ATTRIBUTE -> "Missing Well-known Attribute";
                case ATTRIBUTE_FLAGS_ERROR -> "Attribute Flags Error";
                case ATTRIBUTE_LENGTH_ERROR -> "Attribute Length Error";
                case INVALID_ORIGIN -> "Invalid ORIGIN Attribute";
                case INVALID_NEXT_HOP -> "Invalid NEXT_HOP Attribute";
                case OPTIONAL_ATTRIBUTE_ERROR -> "Optional Attribute Error";
                case INVALID_NETWORK_FIELD -> "Invalid Network Field";
                case MALFORMED_AS_PATH -> "Malformed AS_PATH";
                default -> null;
            };
            case FSM_ERROR -> switch (subcode) {
                case UNEXPECTED_IN_OPEN_SENT -> "Unexpected Message in OpenSent State";
                case UNEXPECTED_IN_OPEN_CONFIRM -> "Unexpected Message in OpenConfirm State";
                case UNEXPECTED_IN_ESTABLISHED -> "Unexpected Message in Established State";
                default -> null;
            };
            case CEASE -> switch (subcode) {
                case 1 -> "Maximum Number of Prefixes Reached";
                case ADMINISTRATIVE_SHUTDOWN -> "Administrative Shutdown";
                case PEER_DECONFIGURED -> "Peer De-configured";
                case ADMINISTRATIVE_RESET -> "Administrative Reset";
                case 5 -> "Connection Rejected";
                case 6 -> "Other Configuration Change";
                case CONNECTION_COLLISION_RESOLUTION -> "Connection Collision Resolution";
                case 8 -> "Out of Resources";
                default -> null;
            };
            default -> null;
        };
        return Optional.ofNullable(name);
    }
}
