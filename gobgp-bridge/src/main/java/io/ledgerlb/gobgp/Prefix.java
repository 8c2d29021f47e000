package io.ledgerlb.gobgp;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 prefix with its host bits cleared; the key of a path in gobgpd's RIB. */
public record Prefix(InetAddress address, int length) {

    public Prefix {
        int bits = address.getAddress().length * 8;
        if (length < 0 || length > bits) {
            throw new IllegalArgumentException("prefix length " + length + " out of range 0.." + bits);
        }
        address = masked(address, length);
    }

    /** Parses an address literal such as "192.0.2.7" or "2001:db8::7" (never a DNS name). */
    public static Prefix of(String address, int length) {
        return new Prefix(Addresses.parse(address), length);
    }

    public RouteFamily family() {
        return RouteFamily.of(address);
    }

    private static InetAddress masked(InetAddress address, int length) {
        byte[] bytes = address.getAddress();
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.max(0, Math.min(8, length - i * 8));
            bytes[i] &= (byte) (0xFF << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return Addresses.text(address) + "/" + length;
    }
}
