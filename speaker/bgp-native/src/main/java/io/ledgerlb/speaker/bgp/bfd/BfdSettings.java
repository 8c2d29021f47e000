package io.ledgerlb.speaker.bgp.bfd;

import java.time.Duration;

/**
 * What this end of a BFD session asks for (a MetalLB BFDProfile, less what only the socket needs).
 *
 * @param desiredMinTx  bfd.DesiredMinTxInterval while Up (MetalLB's transmitInterval)
 * @param requiredMinRx bfd.RequiredMinRxInterval (MetalLB's receiveInterval)
 * @param detectMult    bfd.DetectMult (MetalLB's detectMultiplier)
 * @param passive       wait for the peer's first packet before sending (RFC 5880 §6.1)
 */
public record BfdSettings(Duration desiredMinTx, Duration requiredMinRx, int detectMult, boolean passive) {
    /** RFC 5880 §6.8.3: while not Up, packets go no faster than one a second. */
    public static final Duration SLOW_TX = Duration.ofSeconds(1);

    public BfdSettings {
        if (desiredMinTx.toNanos() < 1_000 || requiredMinRx.toNanos() < 1_000) {
            throw new IllegalArgumentException("BFD intervals must be at least 1 µs: " + desiredMinTx + ", " + requiredMinRx);
        }
        if (detectMult < 1 || detectMult > 255) {
            throw new IllegalArgumentException("detect multiplier must be 1-255: " + detectMult);
        }
    }
}
