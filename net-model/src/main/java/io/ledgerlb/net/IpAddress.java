package io.ledgerlb.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address as two unsigned 64-bit halves ({@code hi} is 0 for IPv4). Parsing never
 * touches DNS; {@link #toString()} is the canonical text (RFC 5952 for IPv6), the form the ledger
 * records.
 */
public record IpAddress(IpFamily family, long hi, long lo) implements Comparable<IpAddress> {
    private static final long V4_MAX = 0xFFFF_FFFFL;

    public IpAddress {
        if (family == IpFamily.V4 && (hi != 0 || lo < 0 || lo > V4_MAX)) {
            throw new IllegalArgumentException("not an IPv4 value: " + lo);
        }
    }

    public static IpAddress v4(long value) {
        return new IpAddress(IpFamily.V4, 0, value);
    }

    /** Parses a literal address; throws {@link InvalidAddressException} with the reason. */
    public static IpAddress parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidAddressException("empty IP address");
        }
        return text.indexOf(':') >= 0 ? parseV6(text) : v4(parseV4(text, text));
    }

    /** The address of a JDK {@link InetAddress} (its IPv6 scope, if any, is dropped). */
    public static IpAddress of(InetAddress address) {
        return fromBytes(address.getAddress());
    }

    /**
     * The address of its bytes in network order: 4 bytes are IPv4, 16 bytes IPv6 (an IPv4-mapped
     * IPv6 address stays IPv6, as a BGP NLRI of the IPv6 family carries it).
     */
    public static IpAddress fromBytes(byte[] bytes) {
        if (bytes.length != 4 && bytes.length != 16) {
            throw new InvalidAddressException("an IP address has 4 or 16 bytes, not " + bytes.length);
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes.length == 16 && i < 8) {
                hi = (hi << 8) | (bytes[i] & 0xFF);
            } else {
                lo = (lo << 8) | (bytes[i] & 0xFF);
            }
        }
        return new IpAddress(bytes.length == 4 ? IpFamily.V4 : IpFamily.V6, hi, lo);
    }

    /** The address's bytes in network order: 4 for IPv4, 16 for IPv6. */
    public byte[] bytes() {
        byte[] bytes = new byte[family == IpFamily.V4 ? 4 : 16];
        if (family == IpFamily.V4) {
            for (int i = 0; i < 4; i++) {
                bytes[i] = (byte) (lo >>> (24 - 8 * i));
            }
        } else {
            for (int i = 0; i < 8; i++) {
                bytes[i] = (byte) (hi >>> (56 - 8 * i));
                bytes[i + 8] = (byte) (lo >>> (56 - 8 * i));
            }
        }
        return bytes;
    }

    /** Parses a literal address into a JDK {@link InetAddress}, with no DNS lookup. */
    public static InetAddress parseInet(String text) {
        return parse(text).toInetAddress();
    }

    /**
     * This address as a JDK {@link InetAddress}. Like {@link InetAddress#getByAddress(byte[])}, an
     * IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.1}) comes back as an {@code Inet4Address}.
     */
    public InetAddress toInetAddress() {
        try {
            return InetAddress.getByAddress(bytes());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // never: the length is 4 or 16
        }
    }

    private static long parseV4(String text, String whole) {
        long value = 0;
        int parts = 0;
        int i = 0;
        int n = text.length();
        while (i <= n) {
            int start = i;
            int octet = 0;
            while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                octet = octet * 10 + (text.charAt(i) - '0');
                if (octet > 255) {
                    throw new InvalidAddressException("'" + whole + "' is not an IP address: octet out of range");
                }
                i++;
            }
            int digits = i - start;
            if (digits == 0 || (digits > 1 && text.charAt(start) == '0')) {
                throw new InvalidAddressException("'" + whole + "' is not an IP address");
            }
            value = (value << 8) | octet;
            parts++;
            if (i == n) {
                break;
            }
            if (text.charAt(i) != '.' || parts == 4) {
                throw new InvalidAddressException("'" + whole + "' is not an IP address");
            }
            i++;
        }
        if (parts != 4) {
            throw new InvalidAddressException("'" + whole + "' is not an IP address: expected four octets");
        }
        return value;
    }

    private static IpAddress parseV6(String text) {
        int[] groups = new int[8];
        int count = 0;
        int gap = -1;
        int i = 0;
        int n = text.length();
        if (text.startsWith("::")) {
            gap = 0;
            i = 2;
        } else if (text.startsWith(":")) {
            throw bad(text);
        }
        while (i < n) {
            int start = i;
            int value = 0;
            while (i < n && hexDigit(text.charAt(i)) >= 0 && i - start < 5) {
                value = value * 16 + hexDigit(text.charAt(i));
                i++;
            }
            if (i < n && text.charAt(i) == '.') {
                // embedded IPv4 in the last 32 bits
                if (count > 6) {
                    throw bad(text);
                }
                long v4 = parseV4(text.substring(start), text);
                groups[count++] = (int) (v4 >>> 16);
                groups[count++] = (int) (v4 & 0xFFFF);
                i = n;
                break;
            }
            if (i == start || i - start > 4 || count == 8) {
                throw bad(text);
            }
            groups[count++] = value;
            if (i == n) {
                break;
            }
            if (text.charAt(i) != ':') {
                throw bad(text);
            }
            i++;
            if (i < n && text.charAt(i) == ':') {
                if (gap >= 0) {
                    throw bad(text);
                }
                gap = count;
                i++;
            } else if (i == n) {
                throw bad(text);
            }
        }
        if (gap < 0 ? count != 8 : count > 7) {
            throw bad(text);
        }
        int[] full = new int[8];
        if (gap < 0) {
            full = groups;
        } else {
            System.arraycopy(groups, 0, full, 0, gap);
            System.arraycopy(groups, gap, full, 8 - (count - gap), count - gap);
        }
        long hi = 0;
        long lo = 0;
        for (int g = 0; g < 4; g++) {
            hi = (hi << 16) | full[g];
            lo = (lo << 16) | full[g + 4];
        }
        return new IpAddress(IpFamily.V6, hi, lo);
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    private static InvalidAddressException bad(String text) {
        return new InvalidAddressException("'" + text + "' is not an IP address");
    }

    /** The address {@code offset} (≥ 0) places after this one. */
    public IpAddress plus(long offset) {
        if (family == IpFamily.V4) {
            return v4(lo + offset);
        }
        long newLo = lo + offset;
        long carry = Long.compareUnsigned(newLo, lo) < 0 ? 1 : 0;
        return new IpAddress(family, hi + carry, newLo);
    }

    /** How many places {@code later} comes after this address, saturated at {@link Long#MAX_VALUE}. */
    public long distanceTo(IpAddress later) {
        long loDiff = later.lo - lo;
        long borrow = Long.compareUnsigned(later.lo, lo) < 0 ? 1 : 0;
        long hiDiff = later.hi - hi - borrow;
        if (hiDiff != 0 || loDiff < 0) {
            return Long.MAX_VALUE;
        }
        return loDiff;
    }

    /** The first address of the prefix of this length that holds this address. */
    public IpAddress masked(int prefixLength) {
        int hostBits = family.bits() - prefixLength;
        if (family == IpFamily.V4) {
            return v4(hostBits >= 32 ? 0 : lo & ~((1L << hostBits) - 1) & V4_MAX);
        }
        long newHi = hostBits >= 128 ? 0 : hostBits > 64 ? hi & ~((1L << (hostBits - 64)) - 1) : hi;
        long newLo = hostBits >= 64 ? 0 : lo & ~((1L << hostBits) - 1);
        return new IpAddress(family, newHi, newLo);
    }

    /** The last address of the prefix of this length that holds this address. */
    public IpAddress lastOf(int prefixLength) {
        int hostBits = family.bits() - prefixLength;
        if (family == IpFamily.V4) {
            return v4(hostBits >= 32 ? V4_MAX : lo | ((1L << hostBits) - 1));
        }
        long newHi = hostBits >= 128 ? -1L : hostBits > 64 ? hi | ((1L << (hostBits - 64)) - 1) : hi;
        long newLo = hostBits >= 64 ? -1L : lo | ((1L << hostBits) - 1);
        return new IpAddress(family, newHi, newLo);
    }

    /** An IPv4 address ending in .0 or .255, which some old clients and routers mishandle. */
    public boolean isBuggy() {
        long lastOctet = lo & 0xFF;
        return family == IpFamily.V4 && (lastOctet == 0 || lastOctet == 255);
    }

    @Override
    public int compareTo(IpAddress o) {
        int c = family.compareTo(o.family);
        if (c == 0) {
            c = Long.compareUnsigned(hi, o.hi);
        }
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    @Override
    public String toString() {
        return family == IpFamily.V4 ? IpText.v4(lo) : IpText.v6(hi, lo);
    }
}
