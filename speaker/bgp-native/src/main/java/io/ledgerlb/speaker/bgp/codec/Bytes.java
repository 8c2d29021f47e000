package io.ledgerlb.speaker.bgp.codec;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** A growable big-endian byte buffer for encoding (unsynchronized, unlike ByteArrayOutputStream). */
final class Bytes {
    private byte[] buffer = new byte[64];
    private int size;

    Bytes u8(int v) {
        ensure(1);
        buffer[size++] = (byte) v;
        return this;
    }

    Bytes u16(int v) {
        ensure(2);
        buffer[size++] = (byte) (v >>> 8);
        buffer[size++] = (byte) v;
        return this;
    }

    Bytes u32(long v) {
        u16((int) (v >>> 16));
        return u16((int) v);
    }

    Bytes bytes(byte[] b) {
        return bytes(b, b.length);
    }

    /** The first {@code length} bytes of {@code b}. */
    Bytes bytes(byte[] b, int length) {
        ensure(length);
        System.arraycopy(b, 0, buffer, size, length);
        size += length;
        return this;
    }

    int size() {
        return size;
    }

    byte[] toArray() {
        return Arrays.copyOf(buffer, size);
    }

    private void ensure(int more) {
        if (size + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
        }
    }

    static Inet4Address ipv4(byte[] raw) {
        try {
            if (raw.length == 4 && InetAddress.getByAddress(raw) instanceof Inet4Address v4) {
                return v4;
            }
        } catch (UnknownHostException e) {
            // not 4 bytes: below
        }
        throw new IllegalArgumentException("not IPv4");
    }
}
