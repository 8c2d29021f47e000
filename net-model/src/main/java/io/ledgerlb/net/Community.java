package io.ledgerlb.net;

/**
 * An RFC 1997 community: two unsigned 16-bit numbers, written "AS:value", sent as one 32-bit value.
 * Ordered as the 32-bit values are.
 */
public record Community(int asn, int value) implements Comparable<Community> {

    public Community {
        if (asn < 0 || asn > 0xFFFF || value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException("community part out of range 0..65535: " + asn + ":" + value);
        }
    }

    /** Parses "AS:value", each part written in decimal digits only. */
    public static Community parse(String text) {
        long[] parts = CommunityText.parts(text, 2, 0xFFFF);
        if (parts == null) {
            throw new IllegalArgumentException("community '" + text + "' is not two 16-bit numbers AS:value");
        }
        return new Community((int) parts[0], (int) parts[1]);
    }

    /** The community of a 32-bit value as a COMMUNITIES attribute carries it (high 16 bits: AS). */
    public static Community of(long bits) {
        return new Community((int) (bits >>> 16 & 0xFFFF), (int) (bits & 0xFFFF));
    }

    /** The 32-bit value as a COMMUNITIES attribute carries it (high 16 bits: AS). */
    public long bits() {
        return (long) asn << 16 | value;
    }

    @Override
    public int compareTo(Community o) {
        return Long.compare(bits(), o.bits());
    }

    @Override
    public String toString() {
        return asn + ":" + value;
    }
}
