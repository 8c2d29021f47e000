package io.ledgerlb.speaker.bgp.bfd;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * The BFD decoder never throws, whatever the datagram, and what it accepts encodes back to the
 * same 24 bytes (flags it does not keep, A and M, are refused). Without JAZZER_FUZZ this runs the
 * regression corpus in {@code src/test/resources/.../BfdDecoderFuzzTestInputs/decode}; with
 * {@code JAZZER_FUZZ=1} it fuzzes.
 */
class BfdDecoderFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void decode(byte[] datagram) {
        if (BfdCodec.decode(datagram) instanceof BfdDecoded.Accepted accepted) {
            byte[] again = BfdCodec.encode(accepted.packet());
            byte[] header = Arrays.copyOf(datagram, BfdControlPacket.LENGTH);
            header[3] = BfdControlPacket.LENGTH; // a longer length field (trailing bytes) is not kept
            if (!Arrays.equals(again, header)) {
                throw new IllegalStateException("re-encoded differently: " + accepted.packet());
            }
        }
    }
}
