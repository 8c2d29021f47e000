package io.ledgerlb.speaker.bgp.codec;

/** An AFI/SAFI pair (RFC 4760). Only IPv4 and IPv6 unicast are announced; others are carried opaquely. */
public record AddressFamily(int afi, int safi) {
    public static final int AFI_IPV4 = 1;
    public static final int AFI_IPV6 = 2;
    public static final int SAFI_UNICAST = 1;

    public static final AddressFamily IPV4_UNICAST = new AddressFamily(AFI_IPV4, SAFI_UNICAST);
    public static final AddressFamily IPV6_UNICAST = new AddressFamily(AFI_IPV6, SAFI_UNICAST);

    public static AddressFamily of(boolean ipv6) {
        return ipv6 ? IPV6_UNICAST : IPV4_UNICAST;
    }

    /** Address length in bytes for the known AFIs; -1 otherwise. */
    public int addressBytes() {
        return afi == AFI_IPV4 ? 4 : afi == AFI_IPV6 ? 16 : -1;
    }

    @Override
    public String toString() {
        return this.equals(IPV4_UNICAST) ? "ipv4-unicast" : this.equals(IPV6_UNICAST) ? "ipv6-unicast" : afi + "/" + safi;
    }
}
