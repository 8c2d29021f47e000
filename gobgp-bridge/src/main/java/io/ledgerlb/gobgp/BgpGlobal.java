package io.ledgerlb.gobgp;

import java.util.List;
import java.util.Objects;

/**
 * gobgpd's own BGP instance (StartBgp).
 *
 * @param asn             local AS
 * @param routerId        BGP identifier, an IPv4 literal
 * @param listenPort      TCP port for incoming sessions; -1: do not listen (gobgpd only connects out)
 * @param listenAddresses addresses to listen on; empty: all
 */
public record BgpGlobal(long asn, String routerId, int listenPort, List<String> listenAddresses) {

    public BgpGlobal {
        if (asn <= 0 || asn > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("ASN out of range 1..4294967295: " + asn);
        }
        Objects.requireNonNull(routerId, "routerId");
        listenAddresses = List.copyOf(listenAddresses);
    }

    /** An instance that only connects out, as a speaker beside a native one on the same node should. */
    public static BgpGlobal connectOnly(long asn, String routerId) {
        return new BgpGlobal(asn, routerId, -1, List.of());
    }
}
