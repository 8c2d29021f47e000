package io.ledgerlb.speaker.bgp.codec;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** A growable big-endian byte buffer for encoding. */
final class Bytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

    Bytes u8(int v) {
        out.write(v);
        return this;
    }

    Bytes u16(int v) {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    Bytes u32(long v) {
        u16((int) (v >>> 16));
        return u16((int) v);
    }

    Bytes bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    int size() {
        return out.size();
    }

    byte[] toArray() {
        return out.toByteArray();
    }

    static InetAddress address(byte[] raw) {
        try {
            // Inet6Address keeps IPv4-mapped IPv6 addresses IPv6, as they were on the wire
            return raw.length == 16 ? Inet6Address.getByAddress(null, raw, -1) : InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Inet4Address ipv4(byte[] raw) {
        InetAddress a = address(raw);
        if (a instanceof Inet4Address v4) {
            return v4;
        }
        throw new IllegalArgumentException("not IPv4");
    }
}
