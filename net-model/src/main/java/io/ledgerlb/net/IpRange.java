package io.ledgerlb.net;

/**
 * A contiguous run of addresses of one family, {@code first} to {@code last} inclusive, as a pool
 * writes it: a CIDR ({@code 10.0.0.0/24}) or a range ({@code 10.0.0.10-10.0.0.20}).
 */
public record IpRange(IpAddress first, IpAddress last) {

    public IpRange {
        if (first.family() != last.family()) {
            throw new InvalidAddressException("range " + first + "-" + last + " mixes IPv4 and IPv6");
        }
        if (first.compareTo(last) > 0) {
            throw new InvalidAddressException("range " + first + "-" + last + " is reversed: its first address comes after its last");
        }
    }

    /** Parses a CIDR or a {@code first-last} range; throws {@link InvalidAddressException} saying what is wrong. */
    public static IpRange parse(String text) {
        String s = text == null ? "" : text.trim();
        if (s.isEmpty()) {
            throw new InvalidAddressException("empty address range");
        }
        int dash = s.indexOf('-');
        if (dash >= 0) {
            IpAddress first = parseIn(s.substring(0, dash).trim(), s);
            IpAddress last = parseIn(s.substring(dash + 1).trim(), s);
            return new IpRange(first, last);
        }
        int slash = s.indexOf('/');
        if (slash < 0) {
            throw new InvalidAddressException("'" + s + "' is neither a CIDR (a.b.c.d/n) nor a range (first-last)");
        }
        IpAddress base = parseIn(s.substring(0, slash), s);
        String lengthText = s.substring(slash + 1);
        int length;
        try {
            length = lengthText.matches("[0-9]{1,3}") ? Integer.parseInt(lengthText) : -1;
        } catch (NumberFormatException e) {
            length = -1;
        }
        if (length < 0 || length > base.family().bits()) {
            throw new InvalidAddressException("malformed CIDR '" + s + "': prefix length must be 0 to " + base.family().bits());
        }
        // like MetalLB (Go's net.ParseCIDR), host bits are ignored: 10.0.0.7/24 is 10.0.0.0/24
        return new IpRange(base.masked(length), base.lastOf(length));
    }

    private static IpAddress parseIn(String address, String whole) {
        try {
            return IpAddress.parse(address);
        } catch (InvalidAddressException e) {
            throw new InvalidAddressException("malformed address range '" + whole + "': " + e.getMessage());
        }
    }

    public IpFamily family() {
        return first.family();
    }

    /** The number of addresses, saturated at {@link Long#MAX_VALUE} (large IPv6 ranges). */
    public long size() {
        long distance = first.distanceTo(last);
        return distance == Long.MAX_VALUE ? Long.MAX_VALUE : distance + 1;
    }

    public boolean contains(IpAddress ip) {
        return ip.family() == family() && first.compareTo(ip) <= 0 && ip.compareTo(last) <= 0;
    }

    /** Where {@code ip} sits in this range (0 for {@code first}); the range must contain it. */
    public long offsetOf(IpAddress ip) {
        return first.distanceTo(ip);
    }

    public IpAddress get(long offset) {
        return first.plus(offset);
    }

    public boolean overlaps(IpRange other) {
        return family() == other.family() && first.compareTo(other.last) <= 0 && other.first.compareTo(last) <= 0;
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
