package io.ledgerlb.speaker.bgp.bfd;

/**
 * A BFD Control packet without authentication (RFC 5880 §4.1); intervals in microseconds,
 * discriminators and intervals as unsigned 32-bit values.
 *
 * @param poll        P: the sender asks for a Final (poll sequence)
 * @param fin         F: the answer to a Poll
 * @param cpi         C: the sender's BFD does not share fate with its control plane
 * @param demand      D: the sender wants demand mode
 */
public record BfdControlPacket(int diag, BfdState state, boolean poll, boolean fin, boolean cpi, boolean demand,
                               int detectMult, long myDiscriminator, long yourDiscriminator,
                               long desiredMinTxMicros, long requiredMinRxMicros, long requiredMinEchoRxMicros) {
    public static final int VERSION = 1;
    public static final int LENGTH = 24;

    public BfdControlPacket {
        if (diag < 0 || diag > 31) {
            throw new IllegalArgumentException("diag is 5 bits: " + diag);
        }
        if (detectMult < 0 || detectMult > 255) {
            throw new IllegalArgumentException("detect mult is one octet: " + detectMult);
        }
        for (long v : new long[] {myDiscriminator, yourDiscriminator, desiredMinTxMicros, requiredMinRxMicros, requiredMinEchoRxMicros}) {
            if (v < 0 || v > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("not an unsigned 32-bit value: " + v);
            }
        }
    }
}
