package io.ledgerlb.speaker.l2;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/** A question "who has this IP?" seen on the wire: an ARP request or an ICMPv6 neighbour solicitation. */
public sealed interface NeighborRequest {

    /** The IP being asked for. */
    InetAddress target();

    /** The MAC the frame came from. */
    MacAddress senderMac();

    /** The IP the asker uses as its source: 0.0.0.0 for an RFC 5227 probe, :: for a DAD probe. */
    InetAddress senderIp();

    /** An ARP request (operation 1). */
    record ArpRequest(MacAddress senderMac, Inet4Address senderIp, Inet4Address target) implements NeighborRequest {
        public boolean isProbe() {
            return senderIp.isAnyLocalAddress();
        }
    }

    /**
     * A neighbour solicitation (ICMPv6 type 135). {@code sourceLinkLayer} is the option's MAC, or
     * null when the solicitation carried none (always so for DAD probes).
     */
    record NeighborSolicitation(MacAddress senderMac, Inet6Address senderIp, Inet6Address target,
                                MacAddress sourceLinkLayer) implements NeighborRequest {
        public boolean isDadProbe() {
            return senderIp.isAnyLocalAddress();
        }
    }
}
