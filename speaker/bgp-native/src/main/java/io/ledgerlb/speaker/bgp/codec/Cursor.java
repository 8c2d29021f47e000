package io.ledgerlb.speaker.bgp.codec;

import java.util.Arrays;

/**
 * Reads big-endian fields from a slice of a message. Running past the end throws
 * {@link Cursor.Overrun}, which the codec turns into the NOTIFICATION or RFC 7606 outcome that
 * fits where it happened.
 */
final class Cursor {
    /** Thrown when a field would run past the end of its slice. */
    static final class Overrun extends Exception {
        Overrun() {
            super(null, null, false, false);
        }
    }

    private final byte[] data;
    private int position;
    private final int end;

    Cursor(byte[] data, int from, int to) {
        this.data = data;
        this.position = from;
        this.end = to;
    }

    int remaining() {
        return end - position;
    }

    int position() {
        return position;
    }

    private void need(int n) throws Overrun {
        if (n < 0 || n > end - position) {
            throw new Overrun();
        }
    }

    int u8() throws Overrun {
        need(1);
        return data[position++] & 0xFF;
    }

    int u16() throws Overrun {
        need(2);
        int v = ((data[position] & 0xFF) << 8) | (data[position + 1] & 0xFF);
        position += 2;
        return v;
    }

    long u32() throws Overrun {
        need(4);
        long v = ((long) u16() << 16) | u16();
        return v;
    }

    byte[] bytes(int n) throws Overrun {
        need(n);
        byte[] b = Arrays.copyOfRange(data, position, position + n);
        position += n;
        return b;
    }

    /** A sub-cursor over the next n bytes, which this one skips. */
    Cursor slice(int n) throws Overrun {
        need(n);
        Cursor c = new Cursor(data, position, position + n);
        position += n;
        return c;
    }
}
