package io.ledgerlb.net;

/**
 * An IPv4 or IPv6 prefix, with the host bits cleared: "192.0.2.7/32", "2001:db8::/64". A value:
 * equal, hashed and ordered by family, address and length; its text is canonical (RFC 5952).
 */
public record IpPrefix(IpAddress address, int length) implements Comparable<IpPrefix> {

    public IpPrefix {
        int max = address.family().bits();
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("prefix length " + length + " out of range 0.." + max);
        }
        address = address.masked(length);
    }

    /** Parses "address/length", or a bare address as a host prefix; never a DNS name. */
    public static IpPrefix parse(String text) {
        int slash = text.indexOf('/');
        String ip = slash < 0 ? text : text.substring(0, slash);
        try {
            IpAddress address = IpAddress.parse(ip);
            int length = slash < 0 ? address.family().bits() : parseLength(text.substring(slash + 1));
            return new IpPrefix(address, length);
        } catch (InvalidAddressException | NumberFormatException e) {
            throw new IllegalArgumentException("not an IP prefix: '" + text + "'");
        }
    }

    /** The prefix of this length holding {@code address}, a literal such as "192.0.2.7" or "2001:db8::7" (never a DNS name). */
    public static IpPrefix of(String address, int length) {
        return new IpPrefix(IpAddress.parse(address), length);
    }

    /** The prefix of the address's bytes (4: IPv4, 16: IPv6) and this length. */
    public static IpPrefix of(byte[] address, int length) {
        return new IpPrefix(IpAddress.fromBytes(address), length);
    }

    private static int parseLength(String digits) {
        if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new NumberFormatException(digits); // no sign, no spaces, no non-ASCII digits
        }
        return Integer.parseInt(digits);
    }

    public IpFamily family() {
        return address.family();
    }

    public boolean ipv6() {
        return address.family() == IpFamily.V6;
    }

    public boolean contains(IpAddress ip) {
        return ip.family() == family() && ip.masked(length).equals(address);
    }

    @Override
    public int compareTo(IpPrefix o) {
        int c = address.compareTo(o.address);
        return c != 0 ? c : Integer.compare(length, o.length);
    }

    @Override
    public String toString() {
        return address + "/" + length;
    }
}
