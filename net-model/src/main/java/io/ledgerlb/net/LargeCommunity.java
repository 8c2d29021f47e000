package io.ledgerlb.net;

/** An RFC 8092 large community: three unsigned 32-bit numbers, written "a:b:c". */
public record LargeCommunity(long globalAdmin, long localData1, long localData2) {

    public LargeCommunity {
        check(globalAdmin);
        check(localData1);
        check(localData2);
    }

    public static LargeCommunity parse(String text) {
        String[] parts = text.trim().split(":");
        if (parts.length != 3) {
            throw new IllegalArgumentException("a large community is three numbers a:b:c, got '" + text + "'");
        }
        try {
            return new LargeCommunity(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a large community is three numbers a:b:c, got '" + text + "'");
        }
    }

    private static void check(long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("large community part out of range 0..4294967295: " + value);
        }
    }

    @Override
    public String toString() {
        return globalAdmin + ":" + localData1 + ":" + localData2;
    }
}
