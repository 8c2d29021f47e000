package io.ledgerlb.speaker.bgp.codec;

import io.ledgerlb.net.Community;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpFamily;
import io.ledgerlb.net.IpPrefix;
import static io.ledgerlb.speaker.bgp.codec.PathAttribute.FLAG_EXTENDED_LENGTH;
import static io.ledgerlb.speaker.bgp.codec.PathAttribute.FLAG_OPTIONAL;
import static io.ledgerlb.speaker.bgp.codec.PathAttribute.FLAG_PARTIAL;
import static io.ledgerlb.speaker.bgp.codec.PathAttribute.FLAG_TRANSITIVE;

import io.ledgerlb.net.LargeCommunity;
import io.ledgerlb.speaker.bgp.codec.PathAttribute.AsPathSegment;
import java.util.ArrayList;
import java.util.List;

/** Each path attribute's parser and serializer, and what RFC 7606 says to do when it is malformed. */
final class PathAttributeCodec {
    private static final int AS_TRANS = OpenMessage.AS_TRANS;

    /** The attribute's value (or flags) is malformed. */
    static final class Malformed extends Exception {
        Malformed(String why) {
            super(why, null, false, false);
        }
    }

    /** A well-known attribute this speaker does not know: RFC 4271 §6.3 resets the session. */
    static final class UnrecognizedWellKnown extends Exception {
        final byte[] attribute;

        UnrecognizedWellKnown(byte[] attribute) {
            super(null, null, false, false);
            this.attribute = attribute;
        }
    }

    private PathAttributeCodec() {
    }

    /** RFC 7606 §7 per attribute; null: reset the session. */
    static ErrorHandling onMalformed(int type) {
        return switch (type) {
            case PathAttribute.MP_REACH_NLRI, PathAttribute.MP_UNREACH_NLRI -> null;
            case PathAttribute.ATOMIC_AGGREGATE, PathAttribute.AGGREGATOR,
                 PathAttribute.AS4_PATH, PathAttribute.AS4_AGGREGATOR -> ErrorHandling.ATTRIBUTE_DISCARD;
            default -> ErrorHandling.TREAT_AS_WITHDRAW;
        };
    }

    /** Flags the type requires (optional, transitive); null for types this codec does not know. */
    private static boolean[] requiredFlags(int type) {
        return switch (type) {
            case PathAttribute.ORIGIN, PathAttribute.AS_PATH, PathAttribute.NEXT_HOP,
                 PathAttribute.LOCAL_PREF, PathAttribute.ATOMIC_AGGREGATE -> new boolean[]{false, true};
            case PathAttribute.AGGREGATOR, PathAttribute.COMMUNITIES, PathAttribute.AS4_PATH,
                 PathAttribute.AS4_AGGREGATOR, PathAttribute.LARGE_COMMUNITIES -> new boolean[]{true, true};
            case PathAttribute.MULTI_EXIT_DISC, PathAttribute.MP_REACH_NLRI,
                 PathAttribute.MP_UNREACH_NLRI -> new boolean[]{true, false};
            default -> null;
        };
    }

    static PathAttribute decode(int flags, int type, Cursor value, boolean fourOctetAs)
            throws Malformed, UnrecognizedWellKnown, BgpDecodeException {
        boolean[] required = requiredFlags(type);
        int length = value.remaining();
        try {
            if (required == null) {
                byte[] raw = value.bytes(length);
                if ((flags & FLAG_OPTIONAL) == 0) {
                    Bytes attribute = new Bytes();
                    encodeHeader(flags, type, length, attribute);
                    throw new UnrecognizedWellKnown(attribute.bytes(raw).toArray());
                }
                return new PathAttribute.Unknown(flags & ~FLAG_EXTENDED_LENGTH, type, raw);
            }
            if (!UpdateCodec.flagsFit(flags, required[0], required[1])) {
                throw new Malformed("flags 0x" + Integer.toHexString(flags));
            }
            return switch (type) {
                case PathAttribute.ORIGIN -> origin(value);
                case PathAttribute.AS_PATH -> asPath(value, fourOctetAs, false);
                case PathAttribute.AS4_PATH -> asPath(value, true, true);
                case PathAttribute.NEXT_HOP -> {
                    exactly(length, 4);
                    yield new PathAttribute.NextHop(IpAddress.fromBytes(value.bytes(4)));
                }
                case PathAttribute.MULTI_EXIT_DISC -> {
                    exactly(length, 4);
                    yield new PathAttribute.MultiExitDisc(value.u32());
                }
                case PathAttribute.LOCAL_PREF -> {
                    exactly(length, 4);
                    yield new PathAttribute.LocalPref(value.u32());
                }
                case PathAttribute.ATOMIC_AGGREGATE -> {
                    exactly(length, 0);
                    yield new PathAttribute.AtomicAggregate();
                }
                case PathAttribute.AGGREGATOR -> aggregator(value, fourOctetAs, false);
                case PathAttribute.AS4_AGGREGATOR -> aggregator(value, true, true);
                case PathAttribute.COMMUNITIES -> communities(value);
                case PathAttribute.LARGE_COMMUNITIES -> largeCommunities(value);
                case PathAttribute.MP_REACH_NLRI -> mpReach(flags, value);
                default -> mpUnreach(flags, value);
            };
        } catch (Cursor.Overrun e) {
            throw new Malformed("value shorter than its fields");
        }
    }

    private static void exactly(int length, int expected) throws Malformed {
        if (length != expected) {
            throw new Malformed("length " + length + ", expected " + expected);
        }
    }

    private static PathAttribute origin(Cursor value) throws Malformed, Cursor.Overrun {
        exactly(value.remaining(), 1);
        int origin = value.u8();
        if (origin > 2) {
            throw new Malformed("origin " + origin);
        }
        return new PathAttribute.Origin(origin);
    }

    private static PathAttribute asPath(Cursor value, boolean fourOctet, boolean as4Path) throws Malformed, Cursor.Overrun {
        List<AsPathSegment> segments = new ArrayList<>();
        while (value.remaining() > 0) {
            int type = value.u8();
            int count = value.u8();
            if (type < 1 || type > 4 || count == 0) {
                throw new Malformed("AS path segment type " + type + " count " + count);
            }
            List<Long> asns = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                asns.add(fourOctet ? value.u32() : value.u16());
            }
            segments.add(new AsPathSegment(type, asns));
        }
        return new PathAttribute.AsPath(segments, as4Path);
    }

    private static PathAttribute aggregator(Cursor value, boolean fourOctet, boolean as4) throws Malformed, Cursor.Overrun {
        exactly(value.remaining(), fourOctet ? 8 : 6);
        long asn = fourOctet ? value.u32() : value.u16();
        return new PathAttribute.Aggregator(asn, Bytes.ipv4(value.bytes(4)), as4);
    }

    private static PathAttribute communities(Cursor value) throws Malformed, Cursor.Overrun {
        if (value.remaining() == 0 || value.remaining() % 4 != 0) {
            throw new Malformed("communities length " + value.remaining());
        }
        List<Community> values = new ArrayList<>();
        while (value.remaining() > 0) {
            values.add(new Community(value.u16(), value.u16()));
        }
        return new PathAttribute.Communities(values);
    }

    private static PathAttribute largeCommunities(Cursor value) throws Malformed, Cursor.Overrun {
        if (value.remaining() == 0 || value.remaining() % 12 != 0) {
            throw new Malformed("large communities length " + value.remaining());
        }
        List<LargeCommunity> values = new ArrayList<>();
        while (value.remaining() > 0) {
            values.add(new LargeCommunity(value.u32(), value.u32(), value.u32()));
        }
        return new PathAttribute.LargeCommunities(values);
    }

    private static PathAttribute mpReach(int flags, Cursor value) throws Malformed, Cursor.Overrun, BgpDecodeException {
        AddressFamily family = new AddressFamily(value.u16(), value.u8());
        int addressBytes = family.addressBytes();
        int nextHopLength = value.u8();
        Cursor nextHop = value.slice(nextHopLength);
        if (addressBytes < 0 || family.safi() != AddressFamily.SAFI_UNICAST) {
            return opaque(flags, PathAttribute.MP_REACH_NLRI, family, nextHopLength, nextHop, value);
        }
        if (nextHopLength != addressBytes && nextHopLength != 2 * addressBytes) {
            throw new Malformed("next hop length " + nextHopLength + " for " + family);
        }
        List<IpAddress> nextHops = new ArrayList<>(2);
        while (nextHop.remaining() > 0) {
            nextHops.add(IpAddress.fromBytes(nextHop.bytes(addressBytes))); // IPv4-mapped stays IPv6, as on the wire
        }
        value.u8(); // reserved
        List<IpPrefix> nlri = UpdateCodec.prefixes(value, family);
        return new PathAttribute.MpReach(family, nextHops, nlri);
    }

    private static PathAttribute mpUnreach(int flags, Cursor value) throws Cursor.Overrun, BgpDecodeException {
        AddressFamily family = new AddressFamily(value.u16(), value.u8());
        if (family.addressBytes() < 0 || family.safi() != AddressFamily.SAFI_UNICAST) {
            byte[] rest = value.bytes(value.remaining());
            return new PathAttribute.Unknown(flags & ~FLAG_EXTENDED_LENGTH, PathAttribute.MP_UNREACH_NLRI,
                    new Bytes().u16(family.afi()).u8(family.safi()).bytes(rest).toArray());
        }
        return new PathAttribute.MpUnreach(family, UpdateCodec.prefixes(value, family));
    }

    /** A family this speaker does not handle: kept as bytes (it was never negotiated). */
    private static PathAttribute opaque(int flags, int type, AddressFamily family, int nextHopLength, Cursor nextHop,
                                        Cursor rest) throws Cursor.Overrun {
        byte[] hop = nextHop.bytes(nextHop.remaining());
        return new PathAttribute.Unknown(flags & ~FLAG_EXTENDED_LENGTH, type, new Bytes().u16(family.afi())
                .u8(family.safi()).u8(nextHopLength).bytes(hop).bytes(rest.bytes(rest.remaining())).toArray());
    }

    // ---- encoding

    static void encode(PathAttribute attribute, boolean fourOctetAs, Bytes out) {
        Bytes value = new Bytes();
        int flags;
        if (attribute instanceof PathAttribute.Origin o) {
            flags = FLAG_TRANSITIVE;
            value.u8(o.value());
        } else if (attribute instanceof PathAttribute.AsPath p) {
            flags = p.as4Path() ? FLAG_OPTIONAL | FLAG_TRANSITIVE : FLAG_TRANSITIVE;
            boolean wide = fourOctetAs || p.as4Path();
            for (AsPathSegment s : p.segments()) {
                value.u8(s.type()).u8(s.asns().size());
                for (long asn : s.asns()) {
                    if (wide) {
                        value.u32(asn);
                    } else {
                        value.u16(asn > 0xFFFF ? AS_TRANS : (int) asn);
                    }
                }
            }
        } else if (attribute instanceof PathAttribute.NextHop n) {
            flags = FLAG_TRANSITIVE;
            value.bytes(n.address().bytes());
        } else if (attribute instanceof PathAttribute.MultiExitDisc m) {
            flags = FLAG_OPTIONAL;
            value.u32(m.value());
        } else if (attribute instanceof PathAttribute.LocalPref l) {
            flags = FLAG_TRANSITIVE;
            value.u32(l.value());
        } else if (attribute instanceof PathAttribute.AtomicAggregate) {
            flags = FLAG_TRANSITIVE;
        } else if (attribute instanceof PathAttribute.Aggregator a) {
            flags = FLAG_OPTIONAL | FLAG_TRANSITIVE;
            if (fourOctetAs || a.as4Aggregator()) {
                value.u32(a.asn());
            } else {
                value.u16(a.asn() > 0xFFFF ? AS_TRANS : (int) a.asn());
            }
            value.bytes(a.address().getAddress());
        } else if (attribute instanceof PathAttribute.Communities c) {
            flags = FLAG_OPTIONAL | FLAG_TRANSITIVE;
            c.values().forEach(community -> value.u16(community.asn()).u16(community.value()));
        } else if (attribute instanceof PathAttribute.LargeCommunities c) {
            flags = FLAG_OPTIONAL | FLAG_TRANSITIVE;
            c.values().forEach(l -> value.u32(l.globalAdmin()).u32(l.localData1()).u32(l.localData2()));
        } else if (attribute instanceof PathAttribute.MpReach r) {
            flags = FLAG_OPTIONAL;
            int hopBytes = r.nextHops().stream().mapToInt(h -> h.family() == IpFamily.V4 ? 4 : 16).sum();
            value.u16(r.family().afi()).u8(r.family().safi()).u8(hopBytes);
            r.nextHops().forEach(h -> value.bytes(h.bytes()));
            value.u8(0);
            r.nlri().forEach(p -> UpdateCodec.encodePrefix(p, value));
        } else if (attribute instanceof PathAttribute.MpUnreach u) {
            flags = FLAG_OPTIONAL;
            value.u16(u.family().afi()).u8(u.family().safi());
            u.withdrawn().forEach(p -> UpdateCodec.encodePrefix(p, value));
        } else {
            PathAttribute.Unknown u = (PathAttribute.Unknown) attribute;
            // RFC 4271 §5: an optional transitive attribute passed on unrecognized gets the Partial bit
            flags = (u.flags() & (FLAG_OPTIONAL | FLAG_TRANSITIVE)) == (FLAG_OPTIONAL | FLAG_TRANSITIVE)
                    ? u.flags() | FLAG_PARTIAL : u.flags();
            value.bytes(u.value());
        }
        encodeHeader(flags, attribute.typeCode(), value.size(), out);
        out.bytes(value.toArray());
    }

    private static void encodeHeader(int flags, int type, int length, Bytes out) {
        boolean extended = length > 255 || (flags & FLAG_EXTENDED_LENGTH) != 0;
        out.u8(extended ? flags | FLAG_EXTENDED_LENGTH : flags & ~FLAG_EXTENDED_LENGTH).u8(type);
        if (extended) {
            out.u16(length);
        } else {
            out.u8(length);
        }
    }

    /** Bytes an attribute header takes for a value of this length. */
    static int headerSize(int valueLength) {
        return valueLength > 255 ? 4 : 3;
    }
}
