package io.ledgerlb.speaker.bgp.interop;

/**
 * The sessions of the interop matrix: the article's iBGP (2-octet AS 64500 on both sides) and
 * eBGP from a 4-octet AS, each over IPv4 and over IPv6. Every session carries an IPv4 and an
 * IPv6 prefix, so the other family's next hop is tested on each.
 */
enum SessionKind {
    IBGP_IPV4(true, false),
    EBGP_4OCTET_IPV4(false, false),
    IBGP_IPV6(true, true),
    EBGP_4OCTET_IPV6(false, true);

    /** The router's AS, and the speakers' on iBGP (the article's my-asn and peer-asn). */
    static final long ROUTER_AS = 64500;
    /** The speakers' AS on eBGP: 4-octet. */
    static final long SPEAKER_EBGP_AS = 4_200_000_001L;

    private final boolean ibgp;
    private final boolean ipv6;

    SessionKind(boolean ibgp, boolean ipv6) {
        this.ibgp = ibgp;
        this.ipv6 = ipv6;
    }

    boolean ibgp() {
        return ibgp;
    }

    boolean ipv6() {
        return ipv6;
    }

    long speakerAs() {
        return ibgp ? ROUTER_AS : SPEAKER_EBGP_AS;
    }
}
