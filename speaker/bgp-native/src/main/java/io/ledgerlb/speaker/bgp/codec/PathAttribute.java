package io.ledgerlb.speaker.bgp.codec;

import io.ledgerlb.net.Community;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpFamily;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.net.LargeCommunity;
import java.net.Inet4Address;
import java.util.Arrays;
import java.util.List;

/** A path attribute of an UPDATE (RFC 4271 §5 and the RFCs that add attributes). */
public sealed interface PathAttribute {
    int ORIGIN = 1;
    int AS_PATH = 2;
    int NEXT_HOP = 3;
    int MULTI_EXIT_DISC = 4;
    int LOCAL_PREF = 5;
    int ATOMIC_AGGREGATE = 6;
    int AGGREGATOR = 7;
    int COMMUNITIES = 8;
    int MP_REACH_NLRI = 14;
    int MP_UNREACH_NLRI = 15;
    int AS4_PATH = 17;
    int AS4_AGGREGATOR = 18;
    int LARGE_COMMUNITIES = 32;

    int FLAG_OPTIONAL = 0x80;
    int FLAG_TRANSITIVE = 0x40;
    int FLAG_PARTIAL = 0x20;
    int FLAG_EXTENDED_LENGTH = 0x10;

    int typeCode();

    /** ORIGIN: 0 IGP, 1 EGP, 2 INCOMPLETE. */
    record Origin(int value) implements PathAttribute {
        public static final Origin IGP = new Origin(0);

        public int typeCode() {
            return ORIGIN;
        }
    }

    /** AS_PATH, or AS4_PATH when {@code as4Path}: segments of AS numbers. */
    record AsPath(List<AsPathSegment> segments, boolean as4Path) implements PathAttribute {
        public AsPath {
            segments = List.copyOf(segments);
        }

        public static AsPath empty() {
            return new AsPath(List.of(), false);
        }

        public static AsPath sequence(long... asns) {
            return new AsPath(List.of(new AsPathSegment(AsPathSegment.AS_SEQUENCE,
                    Arrays.stream(asns).boxed().toList())), false);
        }

        public int typeCode() {
            return as4Path ? AS4_PATH : AS_PATH;
        }
    }

    /** One AS_SET (1) or AS_SEQUENCE (2) segment; RFC 5065 adds confederation types 3 and 4. */
    record AsPathSegment(int type, List<Long> asns) {
        public static final int AS_SET = 1;
        public static final int AS_SEQUENCE = 2;

        public AsPathSegment {
            asns = List.copyOf(asns);
        }
    }

    record NextHop(IpAddress address) implements PathAttribute {
        public NextHop {
            if (address.family() != IpFamily.V4) {
                throw new IllegalArgumentException("NEXT_HOP is an IPv4 address, not " + address);
            }
        }

        public int typeCode() {
            return NEXT_HOP;
        }
    }

    record MultiExitDisc(long value) implements PathAttribute {
        public int typeCode() {
            return MULTI_EXIT_DISC;
        }
    }

    record LocalPref(long value) implements PathAttribute {
        public int typeCode() {
            return LOCAL_PREF;
        }
    }

    record AtomicAggregate() implements PathAttribute {
        public int typeCode() {
            return ATOMIC_AGGREGATE;
        }
    }

    /** AGGREGATOR, or AS4_AGGREGATOR when {@code as4Aggregator}. */
    record Aggregator(long asn, Inet4Address address, boolean as4Aggregator) implements PathAttribute {
        public int typeCode() {
            return as4Aggregator ? AS4_AGGREGATOR : AGGREGATOR;
        }
    }

    /** RFC 1997. */
    record Communities(List<Community> values) implements PathAttribute {
        public Communities {
            values = List.copyOf(values);
        }

        public int typeCode() {
            return COMMUNITIES;
        }
    }

    /** RFC 8092. */
    record LargeCommunities(List<LargeCommunity> values) implements PathAttribute {
        public LargeCommunities {
            values = List.copyOf(values);
        }

        public int typeCode() {
            return LARGE_COMMUNITIES;
        }
    }

    /** RFC 4760: reachable prefixes of a family with one or two (global, link-local) next hops. */
    record MpReach(AddressFamily family, List<IpAddress> nextHops, List<IpPrefix> nlri) implements PathAttribute {
        public MpReach {
            nextHops = List.copyOf(nextHops);
            nlri = List.copyOf(nlri);
        }

        public int typeCode() {
            return MP_REACH_NLRI;
        }
    }

    /** RFC 4760: withdrawn prefixes of a family; empty is that family's End-of-RIB (RFC 4724). */
    record MpUnreach(AddressFamily family, List<IpPrefix> withdrawn) implements PathAttribute {
        public MpUnreach {
            withdrawn = List.copyOf(withdrawn);
        }

        public int typeCode() {
            return MP_UNREACH_NLRI;
        }
    }

    /** Any other attribute, kept with its flags (an optional transitive one is passed on as is). */
    record Unknown(int flags, int typeCode, byte[] value) implements PathAttribute {
        @Override
        public boolean equals(Object o) {
            return o instanceof Unknown u && u.flags == flags && u.typeCode == typeCode && Arrays.equals(u.value, value);
        }

        @Override
        public int hashCode() {
            return (flags * 256 + typeCode) * 31 + Arrays.hashCode(value);
        }
    }
}
