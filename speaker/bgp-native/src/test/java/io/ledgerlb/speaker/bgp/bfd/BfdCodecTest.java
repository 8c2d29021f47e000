package io.ledgerlb.speaker.bgp.bfd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Vectors written from the layout of RFC 5880 §4.1: Vers(3) Diag(5) | Sta(2) P F C A D M | Detect Mult | Length | ... */
class BfdCodecTest {
    private static final HexFormat HEX = HexFormat.of();

    /** Version 1, diag 0, Up, detect mult 3, my 0x11223344, your 0x55667788, 300 ms / 300 ms / echo 0. */
    private static final String UP = "20" + "c0" + "03" + "18" + "11223344" + "55667788" + "000493e0" + "000493e0" + "00000000";

    @Test
    void decodesEveryField() {
        BfdDecoded decoded = BfdCodec.decode(HEX.parseHex("2b" + "f8" + "05" + "18" + "ffffffff" + "00000001"
                + "000f4240" + "000186a0" + "00000032"));
        assertThat(decoded).isEqualTo(new BfdDecoded.Accepted(new BfdControlPacket(BfdDiag.ADMIN_DOWN + 4,
                BfdState.UP, true, true, true, false, 5, 0xFFFF_FFFFL, 1, 1_000_000, 100_000, 50)));
    }

    @Test
    void encodesTheRfcLayoutAndDecodesItBack() {
        BfdControlPacket up = new BfdControlPacket(BfdDiag.NONE, BfdState.UP, false, false, false, false, 3,
                0x11223344L, 0x55667788L, 300_000, 300_000, 0);
        assertThat(HEX.formatHex(BfdCodec.encode(up))).isEqualTo(UP);
        assertThat(BfdCodec.decode(HEX.parseHex(UP))).isEqualTo(new BfdDecoded.Accepted(up));

        BfdControlPacket down = new BfdControlPacket(BfdDiag.DETECTION_TIME_EXPIRED, BfdState.DOWN, true, false, false, true,
                255, 7, 0, 1_000_000, 1_000_000, 0);
        assertThat(HEX.formatHex(BfdCodec.encode(down)).substring(0, 8)).isEqualTo("21" + "62" + "ff" + "18");
        assertThat(BfdCodec.decode(BfdCodec.encode(down))).isEqualTo(new BfdDecoded.Accepted(down));
    }

    @Test
    void bytesAfterTheLengthAreIgnored() {
        assertThat(BfdCodec.decode(HEX.parseHex(UP + "deadbeef"))).isInstanceOf(BfdDecoded.Accepted.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // what                         , datagram                                                                  , reason
        "version 0                      , 00c00318112233445566778800000000000000000000000000, BAD_VERSION",
        "version 2                      , 40c003181122334455667788000493e0000493e000000000, BAD_VERSION",
        "three bytes                    , 20c003, TOO_SHORT",
        "length 23                      , 20c003171122334455667788000493e0000493e000000000, TOO_SHORT",
        "length 0                       , 20c003001122334455667788000493e0000493e000000000, TOO_SHORT",
        "length 25 with the A bit       , 20c403191122334455667788000493e0000493e00000000000, TOO_SHORT",
        "length 24 in a 20-byte datagram, 20c003181122334455667788000493e0000493e0, LENGTH_EXCEEDS_PAYLOAD",
        "length 40                      , 20c003281122334455667788000493e0000493e000000000, LENGTH_EXCEEDS_PAYLOAD",
        "detect mult 0                  , 20c000181122334455667788000493e0000493e000000000, ZERO_DETECT_MULT",
        "M bit                          , 20c103181122334455667788000493e0000493e000000000, MULTIPOINT",
        "my discriminator 0             , 20c00318000000005566778800000000000493e000000000, ZERO_MY_DISCRIMINATOR",
        "your discriminator 0 in Up     , 20c00318112233440000000000000000000493e000000000, ZERO_YOUR_DISCRIMINATOR",
        "your discriminator 0 in Init   , 20800318112233440000000000000000000493e000000000, ZERO_YOUR_DISCRIMINATOR",
        "auth type 0                    , 20c4031c1122334455667788000493e0000493e0000000000004aaaa, UNKNOWN_AUTH_TYPE",
        "auth type 6                    , 20c4031c1122334455667788000493e0000493e0000000000604aaaa, UNKNOWN_AUTH_TYPE",
        "auth type 255                  , 20c4031c1122334455667788000493e0000493e000000000ff04aaaa, UNKNOWN_AUTH_TYPE",
        "simple password auth len 3     , 20c4031c1122334455667788000493e0000493e0000000000103aaaa, BAD_AUTH_LENGTH",
        "keyed MD5 auth len 4           , 20c4031c1122334455667788000493e0000493e0000000000204aaaa, BAD_AUTH_LENGTH",
        "simple password past length    , 20c4031c1122334455667788000493e0000493e0000000000106aaaa, BAD_AUTH_LENGTH",
        "simple password not configured, 20c4031c1122334455667788000493e0000493e0000000000104aaaa, AUTH_NOT_CONFIGURED",
    })
    void discards(String what, String datagram, BfdDiscard reason) {
        BfdDecoded decoded = BfdCodec.decode(HEX.parseHex(datagram.strip()));
        assertThat(decoded).isInstanceOfSatisfying(BfdDecoded.Discarded.class, d -> assertThat(d.reason()).isEqualTo(reason));
    }

    @Test
    void yourDiscriminatorZeroIsFineWhileDown() {
        assertThat(BfdCodec.decode(HEX.parseHex("20400318" + "11223344" + "00000000" + "000f4240" + "000f4240" + "00000000"))).isInstanceOf(BfdDecoded.Accepted.class);
        assertThat(BfdCodec.decode(HEX.parseHex("20000318112233440000000000000000000493e000000000")))
                .isInstanceOfSatisfying(BfdDecoded.Accepted.class, a -> assertThat(a.packet().state()).isEqualTo(BfdState.ADMIN_DOWN));
    }
}
