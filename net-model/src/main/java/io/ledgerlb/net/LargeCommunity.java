package io.ledgerlb.net;

/** An RFC 8092 large community: three unsigned 32-bit numbers, written "a:b:c", ordered part by part. */
public record LargeCommunity(long globalAdmin, long localData1, long localData2) implements Comparable<LargeCommunity> {

    public LargeCommunity {
        check(globalAdmin);
        check(localData1);
        check(localData2);
    }

    /** Parses "a:b:c", each part written in decimal digits only. */
    public static LargeCommunity parse(String text) {
        long[] parts = CommunityText.parts(text, 3, 0xFFFF_FFFFL);
        if (parts == null) {
            throw new IllegalArgumentException("a large community is three numbers a:b:c, got '" + text + "'");
        }
        return new LargeCommunity(parts[0], parts[1], parts[2]);
    }

    private static void check(long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("large community part out of range 0..4294967295: " + value);
        }
    }

    @Override
    public int compareTo(LargeCommunity o) {
        int c = Long.compare(globalAdmin, o.globalAdmin);
        if (c == 0) {
            c = Long.compare(localData1, o.localData1);
        }
        return c != 0 ? c : Long.compare(localData2, o.localData2);
    }

    @Override
    public String toString() {
        return globalAdmin + ":" + localData1 + ":" + localData2;
    }
}
