package io.ledgerlb.speaker.bgp.bfd;

import java.net.InetAddress;

/**
 * A BFD peer: its address, single hop (RFC 5881, UDP 3784, packets must arrive with TTL 255) or
 * multihop (RFC 5883, UDP 4784, TTL at least {@code minimumTtl}), and the timers asked for.
 */
public record BfdPeer(InetAddress address, boolean multihop, int minimumTtl, BfdSettings settings) {
    public static final int SINGLE_HOP_PORT = 3784;
    public static final int MULTIHOP_PORT = 4784;

    public BfdPeer {
        if (minimumTtl < 1 || minimumTtl > 255) {
            throw new IllegalArgumentException("minimum TTL must be 1-255: " + minimumTtl);
        }
    }

    public int port() {
        return multihop ? MULTIHOP_PORT : SINGLE_HOP_PORT;
    }

    /** The lowest TTL accepted from the peer: 255 on a single hop (GTSM, RFC 5881 §5). */
    public int acceptedTtl() {
        return multihop ? minimumTtl : 255;
    }
}
