package io.ledgerlb.speaker.bgp.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * The decoder never throws anything but {@link BgpDecodeException}, and what it accepts can be
 * encoded again. Without JAZZER_FUZZ this runs the regression corpus in
 * {@code src/test/resources/.../BgpDecoderFuzzTestInputs/decode}; with {@code JAZZER_FUZZ=1} it fuzzes.
 * The first input byte picks 2- or 4-octet AS numbers; the rest is the message.
 */
class BgpDecoderFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void decode(byte[] input) {
        if (input.length == 0) {
            return;
        }
        boolean fourOctetAs = (input[0] & 1) != 0;
        byte[] message = Arrays.copyOfRange(input, 1, input.length);
        BgpMessage decoded;
        try {
            decoded = BgpCodec.decode(message, fourOctetAs);
        } catch (BgpDecodeException expected) {
            return;
        }
        BgpCodec.encode(decoded, fourOctetAs);
    }
}
