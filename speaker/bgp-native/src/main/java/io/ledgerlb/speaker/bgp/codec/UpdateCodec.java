package io.ledgerlb.speaker.bgp.codec;

import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.INVALID_NETWORK_FIELD;
import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.MALFORMED_ATTRIBUTE_LIST;
import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.OPTIONAL_ATTRIBUTE_ERROR;
import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE;
import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.UPDATE_MESSAGE_ERROR;
import static io.ledgerlb.speaker.bgp.codec.PathAttribute.FLAG_EXTENDED_LENGTH;
import static io.ledgerlb.speaker.bgp.codec.PathAttribute.FLAG_OPTIONAL;
import static io.ledgerlb.speaker.bgp.codec.PathAttribute.FLAG_TRANSITIVE;

import io.ledgerlb.net.IpPrefix;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * UPDATE's parser and serializer, with RFC 7606 revised error handling: a malformed attribute
 * makes the UPDATE "treat-as-withdraw" or is discarded, as the RFC says per attribute; only
 * errors that leave the message unparseable (or concern MP_REACH/MP_UNREACH) reset the session.
 */
final class UpdateCodec {

    private UpdateCodec() {
    }

    static UpdateMessage decode(Cursor body, boolean fourOctetAs) throws BgpDecodeException, Cursor.Overrun {
        int withdrawnLength = body.u16();
        if (withdrawnLength + 2 > body.remaining()) {
            throw new BgpDecodeException(UPDATE_MESSAGE_ERROR, MALFORMED_ATTRIBUTE_LIST, "withdrawn routes length too large");
        }
        List<IpPrefix> withdrawn = prefixes(body.slice(withdrawnLength), AddressFamily.IPV4_UNICAST);
        int attributesLength = body.u16();
        if (attributesLength > body.remaining()) {
            throw new BgpDecodeException(UPDATE_MESSAGE_ERROR, MALFORMED_ATTRIBUTE_LIST, "total attribute length too large");
        }
        Cursor attributeField = body.slice(attributesLength);
        List<IpPrefix> nlri = prefixes(body, AddressFamily.IPV4_UNICAST);

        List<PathAttribute> attributes = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        ErrorHandling handling = ErrorHandling.NONE;
        while (attributeField.remaining() > 0) {
            int flags;
            int type;
            Cursor value;
            try {
                flags = attributeField.u8();
                type = attributeField.u8();
                int length = (flags & FLAG_EXTENDED_LENGTH) != 0 ? attributeField.u16() : attributeField.u8();
                value = attributeField.slice(length);
            } catch (Cursor.Overrun e) {
                // RFC 7606 §4: an attribute overrunning the attribute field: treat-as-withdraw
                handling = ErrorHandling.TREAT_AS_WITHDRAW;
                break;
            }
            boolean multiprotocol = type == PathAttribute.MP_REACH_NLRI || type == PathAttribute.MP_UNREACH_NLRI;
            if (!seen.add(type)) {
                if (multiprotocol) {
                    throw new BgpDecodeException(UPDATE_MESSAGE_ERROR, MALFORMED_ATTRIBUTE_LIST, "repeated attribute " + type);
                }
                handling = handling.max(ErrorHandling.ATTRIBUTE_DISCARD); // RFC 7606 §3g: keep the first
                continue;
            }
            try {
                attributes.add(PathAttributeCodec.decode(flags, type, value, fourOctetAs));
            } catch (PathAttributeCodec.Malformed e) {
                ErrorHandling outcome = PathAttributeCodec.onMalformed(type);
                if (outcome == null) {
                    throw new BgpDecodeException(UPDATE_MESSAGE_ERROR, OPTIONAL_ATTRIBUTE_ERROR,
                            "malformed attribute " + type + ": " + e.getMessage());
                }
                handling = handling.max(outcome);
            } catch (PathAttributeCodec.UnrecognizedWellKnown e) {
                throw new BgpDecodeException(UPDATE_MESSAGE_ERROR, UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE,
                        e.attribute, "unrecognized well-known attribute " + type);
            }
        }
        boolean reachable = !nlri.isEmpty() || seen.contains(PathAttribute.MP_REACH_NLRI);
        if (reachable && (!seen.contains(PathAttribute.ORIGIN) || !seen.contains(PathAttribute.AS_PATH)
                || (!nlri.isEmpty() && !seen.contains(PathAttribute.NEXT_HOP)))) {
            handling = ErrorHandling.TREAT_AS_WITHDRAW; // RFC 7606 §3d: a missing well-known attribute
        }
        return new UpdateMessage(withdrawn, attributes, nlri, handling);
    }

    /** Prefixes of a family in RFC 4271 §4.3 encoding (length in bits, then the significant bytes). */
    static List<IpPrefix> prefixes(Cursor field, AddressFamily family) throws BgpDecodeException {
        List<IpPrefix> prefixes = new ArrayList<>();
        int addressBytes = family.addressBytes();
        try {
            while (field.remaining() > 0) {
                int bits = field.u8();
                if (bits > addressBytes * 8) {
                    throw new BgpDecodeException(UPDATE_MESSAGE_ERROR, INVALID_NETWORK_FIELD, "prefix length " + bits);
                }
                byte[] address = new byte[addressBytes];
                byte[] significant = field.bytes((bits + 7) / 8);
                System.arraycopy(significant, 0, address, 0, significant.length);
                prefixes.add(IpPrefix.of(address, bits));
            }
        } catch (Cursor.Overrun e) {
            throw new BgpDecodeException(UPDATE_MESSAGE_ERROR, INVALID_NETWORK_FIELD, "prefix overruns its field");
        }
        return prefixes;
    }

    static void encodePrefix(IpPrefix prefix, Bytes out) {
        out.u8(prefix.length()).bytes(prefix.address().bytes(), (prefix.length() + 7) / 8);
    }

    static int encodedSize(IpPrefix prefix) {
        return 1 + (prefix.length() + 7) / 8;
    }

    static void encode(UpdateMessage update, boolean fourOctetAs, Bytes body) {
        Bytes withdrawn = new Bytes();
        update.withdrawn().forEach(p -> encodePrefix(p, withdrawn));
        Bytes attributes = new Bytes();
        update.attributes().forEach(a -> PathAttributeCodec.encode(a, fourOctetAs, attributes));
        body.u16(withdrawn.size()).bytes(withdrawn.toArray()).u16(attributes.size()).bytes(attributes.toArray());
        update.nlri().forEach(p -> encodePrefix(p, body));
    }

    static boolean flagsFit(int flags, boolean optional, boolean transitive) {
        return ((flags & FLAG_OPTIONAL) != 0) == optional && ((flags & FLAG_TRANSITIVE) != 0) == transitive;
    }
}
