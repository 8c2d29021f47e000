package io.ledgerlb.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 prefix, with the host bits cleared: "192.0.2.7/32", "2001:db8::/64". */
public record IpPrefix(InetAddress address, int length) {

    public IpPrefix {
        int max = address.getAddress().length * 8;
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("prefix length " + length + " out of range 0.." + max);
        }
        address = masked(address, length);
    }

    public static IpPrefix parse(String text) {
        int slash = text.indexOf('/');
        String ip = slash < 0 ? text : text.substring(0, slash);
        try {
            InetAddress address = IpAddress.parseInet(ip);
            int length = slash < 0 ? address.getAddress().length * 8 : Integer.parseInt(text.substring(slash + 1));
            return new IpPrefix(address, length);
        } catch (InvalidAddressException | NumberFormatException e) {
            throw new IllegalArgumentException("not an IP prefix: '" + text + "'");
        }
    }

    /** The prefix of this length holding {@code address}, a literal such as "192.0.2.7" or "2001:db8::7" (never a DNS name). */
    public static IpPrefix of(String address, int length) {
        return new IpPrefix(IpAddress.parseInet(address), length);
    }

    public boolean ipv6() {
        return address instanceof Inet6Address; // masked() makes every 16-byte address an Inet6Address
    }

    private static InetAddress masked(InetAddress address, int length) {
        byte[] bytes = address.getAddress();
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.max(0, Math.min(8, length - i * 8));
            bytes[i] &= (byte) (0xFF << (8 - keep));
        }
        try {
            // Inet6Address keeps an IPv4-mapped IPv6 prefix IPv6 (InetAddress would turn it into IPv4)
            return bytes.length == 16 ? Inet6Address.getByAddress(null, bytes, -1) : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    // InetAddress compares the address bytes only (no host name, no IPv6 scope: masked() sets none),
    // without the copy getAddress() makes: these run for every prefix of every RibOut diff
    @Override
    public boolean equals(Object o) {
        return o instanceof IpPrefix p && length == p.length && address.equals(p.address);
    }

    @Override
    public int hashCode() {
        return address.hashCode() * 31 + length;
    }

    @Override
    public String toString() {
        return IpText.of(address) + "/" + length;
    }
}
