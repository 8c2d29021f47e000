package io.ledgerlb.speaker.l2;

import java.util.HexFormat;

/** An Ethernet MAC address, held as the low 48 bits of a long so that it compares by value. */
public record MacAddress(long value) {
    public static final MacAddress BROADCAST = new MacAddress(0xFFFF_FFFF_FFFFL);
    public static final MacAddress ZERO = new MacAddress(0);

    public MacAddress {
        if ((value & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("a MAC address has 48 bits");
        }
    }

    public static MacAddress of(byte[] bytes) {
        if (bytes.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, got " + bytes.length);
        }
        return read(bytes, 0);
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff}. */
    public static MacAddress parse(String text) {
        String hex = text.replace(":", "").replace("-", "");
        if (hex.length() != 12) {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        return new MacAddress(HexFormat.fromHexDigitsToLong(hex));
    }

    static MacAddress read(byte[] frame, int offset) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (frame[offset + i] & 0xFF);
        }
        return new MacAddress(v);
    }

    void write(byte[] frame, int offset) {
        for (int i = 0; i < 6; i++) {
            frame[offset + i] = (byte) (value >>> (8 * (5 - i)));
        }
    }

    public byte[] bytes() {
        byte[] b = new byte[6];
        write(b, 0);
        return b;
    }

    @Override
    public String toString() {
        byte[] b = bytes();
        StringBuilder s = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                s.append(':');
            }
            s.append(HexFormat.of().toHexDigits(b[i]));
        }
        return s.toString();
    }
}
