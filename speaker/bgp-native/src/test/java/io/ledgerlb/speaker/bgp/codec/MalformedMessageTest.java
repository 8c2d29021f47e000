package io.ledgerlb.speaker.bgp.codec;

import static io.ledgerlb.speaker.bgp.codec.BgpCodecTest.MARKER;
import static io.ledgerlb.speaker.bgp.codec.BgpCodecTest.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ledgerlb.net.IpPrefix;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each malformation RFC 4271 §6 and RFC 7606 name, written out in bytes, and the outcome:
 * a NOTIFICATION code/subcode (session reset), or the RFC 7606 handling of the UPDATE.
 */
class MalformedMessageTest {

    /** A message with a correct header around {@code body} (hex). */
    static byte[] message(int type, String body) {
        byte[] b = hex(body);
        return hex(MARKER + String.format("%04x%02x", 19 + b.length, type) + HexFormat.of().formatHex(b));
    }

    /** An UPDATE with no withdrawn routes, these attributes (hex) and this NLRI (hex). */
    static byte[] update(String attributes, String nlri) {
        int length = hex(attributes).length;
        return message(2, "0000" + String.format("%04x", length) + attributes + nlri);
    }

    static final String ORIGIN = "400101 00";
    static final String AS_PATH = "400204 0201fde9";
    static final String NEXT_HOP = "400304 0a000001";
    static final String NLRI = "20c0000207";

    @ParameterizedTest(name = "{0} -> NOTIFICATION {2}/{3}")
    @CsvSource({
            "marker not all ones,            00ffffffffffffffffffffffffffffff001304, 1, 1",
            "length below 19,                ffffffffffffffffffffffffffffffff001204, 1, 2",
            "length above 4096,              ffffffffffffffffffffffffffffffff100104, 1, 2",
            "unknown type,                   ffffffffffffffffffffffffffffffff001309, 1, 3",
            "keepalive with a body,          ffffffffffffffffffffffffffffffff00140400, 1, 2",
            "open too short,                 ffffffffffffffffffffffffffffffff0014010400, 1, 2",
            "route refresh too long,         ffffffffffffffffffffffffffffffff0018050001000100, 1, 2",
            "length field and bytes differ,  ffffffffffffffffffffffffffffffff00130400, 1, 2",
    })
    void headerErrors(String what, String wire, int code, int subcode) {
        assertNotification(hex(wire), code, subcode);
    }

    @ParameterizedTest(name = "{0} -> NOTIFICATION {2}/{3}")
    @CsvSource({
            "version 3,                   03fde900b40a00000100, 2, 1",
            "hold time 1,                 04fde900010a00000100, 2, 6",
            "hold time 2,                 04fde900020a00000100, 2, 6",
            "optional parameter type 1,   04fde900b40a00000103010100, 2, 4",
            "parameters length too long,  04fde900b40a00000105020300, 2, 0",
            "capability overruns,         04fde900b40a0000010402020104, 2, 0",
            "4-octet AS capability of 2,  04fde900b40a00000106020441020001, 2, 0",
    })
    void openErrors(String what, String body, int code, int subcode) {
        assertNotification(message(1, body), code, subcode);
    }

    @ParameterizedTest(name = "{0} -> NOTIFICATION {2}/{3}")
    @CsvSource({
            "withdrawn length too large,      0010 0000, 3, 1",
            "attribute length too large,      0000 0010 400101 00, 3, 1",
            "withdrawn prefix of 33 bits,     0002 2100 0000, 3, 10",
            "NLRI prefix of 33 bits,          0000 0000 21c0000207ff, 3, 10",
            "NLRI prefix overruns,            0000 0000 20c000, 3, 10",
            "unrecognized well-known,         0000 0004 40630100, 3, 2",
            "repeated MP_REACH_NLRI,          0000 0012 800e05000201000080 0e05000201000080, 3, 1",
            "MP_REACH_NLRI next hop of 5,     0000 000d 800e0a00020105 0102030405 0000, 3, 9",
            "MP_REACH_NLRI without next hop,  0000 0009 800e06000201000080, 3, 9",
            "MP_REACH_NLRI prefix overruns,   0000 0019 800e16000201 10 20010db8000000000000000000000001 00 80, 3, 10",
            "MP_REACH_NLRI flags wrong,       0000 0008 400e050002010000, 3, 9",
    })
    void updateSessionResets(String what, String body, int code, int subcode) {
        assertNotification(message(2, body.replace(" ", "")), code, subcode);
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @CsvSource({
            "well-formed,                            400101 00 | 400204 0201fde9 | 400304 0a000001,   NONE",
            "ORIGIN value 3,                         400101 03 | 400204 0201fde9 | 400304 0a000001,   TREAT_AS_WITHDRAW",
            "ORIGIN length 2,                        400102 0000 | 400204 0201fde9 | 400304 0a000001, TREAT_AS_WITHDRAW",
            "ORIGIN marked optional,                 c00101 00 | 400204 0201fde9 | 400304 0a000001,   TREAT_AS_WITHDRAW",
            "AS_PATH segment type 7,                 400101 00 | 400204 0701fde9 | 400304 0a000001,   TREAT_AS_WITHDRAW",
            "AS_PATH segment overruns,               400101 00 | 400204 0202fde9 | 400304 0a000001,   TREAT_AS_WITHDRAW",
            "AS_PATH segment of zero ASes,           400101 00 | 400202 0200 | 400304 0a000001,       TREAT_AS_WITHDRAW",
            "NEXT_HOP length 5,                      400101 00 | 400204 0201fde9 | 400305 0a00000100, TREAT_AS_WITHDRAW",
            "NEXT_HOP missing,                       400101 00 | 400204 0201fde9,                     TREAT_AS_WITHDRAW",
            "ORIGIN missing,                         400204 0201fde9 | 400304 0a000001,               TREAT_AS_WITHDRAW",
            "MED length 3,                           400101 00 | 400204 0201fde9 | 400304 0a000001 | 800403 000000, TREAT_AS_WITHDRAW",
            "LOCAL_PREF length 2,                    400101 00 | 400204 0201fde9 | 400304 0a000001 | 400502 0000, TREAT_AS_WITHDRAW",
            "COMMUNITIES length 3,                   400101 00 | 400204 0201fde9 | 400304 0a000001 | c00803 000000, TREAT_AS_WITHDRAW",
            "LARGE_COMMUNITY length 13,              400101 00 | 400204 0201fde9 | 400304 0a000001 | c0200d 00000000000000000000000000, TREAT_AS_WITHDRAW",
            "ATOMIC_AGGREGATE length 1,              400101 00 | 400204 0201fde9 | 400304 0a000001 | 400601 00, ATTRIBUTE_DISCARD",
            "AGGREGATOR length 5,                    400101 00 | 400204 0201fde9 | 400304 0a000001 | c00705 0000000000, ATTRIBUTE_DISCARD",
            "AS4_PATH malformed,                     400101 00 | 400204 0201fde9 | 400304 0a000001 | c01103 020100, ATTRIBUTE_DISCARD",
            "ORIGIN repeated,                        400101 00 | 400101 02 | 400204 0201fde9 | 400304 0a000001, ATTRIBUTE_DISCARD",
            "attribute overruns the attribute field, 400101 00 | 400204 0201fde9 | 400304 0a000001 | c00808 00000000, TREAT_AS_WITHDRAW",
            "unknown optional attribute,             400101 00 | 400204 0201fde9 | 400304 0a000001 | c06301 07, NONE",
    })
    void updateRevisedErrorHandling(String what, String attributes, ErrorHandling expected) throws Exception {
        UpdateMessage update = (UpdateMessage) BgpCodec.decode(update(attributes.replace(" ", "").replace("|", ""), NLRI), false);
        assertThat(update.errorHandling()).isEqualTo(expected);
        assertThat(update.nlri()).containsExactly(IpPrefix.parse("192.0.2.7/32"));
    }

    @ParameterizedTest(name = "repeated attribute keeps the first")
    @CsvSource({"400101 00 | 400101 02 | 400204 0201fde9 | 400304 0a000001"})
    void repeatedAttributeKeepsTheFirst(String attributes) throws Exception {
        UpdateMessage update = (UpdateMessage) BgpCodec.decode(update(attributes.replace(" ", "").replace("|", ""), NLRI), false);
        assertThat(update.attributes()).filteredOn(PathAttribute.Origin.class::isInstance)
                .containsExactly(PathAttribute.Origin.IGP);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"withdraw-only UPDATE needs no mandatory attributes, 0003 10 0a01 0000"})
    void withdrawOnly(String what, String body) throws Exception {
        UpdateMessage update = (UpdateMessage) BgpCodec.decode(message(2, body.replace(" ", "")), false);
        assertThat(update.errorHandling()).isEqualTo(ErrorHandling.NONE);
        assertThat(update.withdrawn()).containsExactly(IpPrefix.parse("10.1.0.0/16"));
        assertThat(update.nlri()).isEqualTo(List.of());
    }

    static void assertNotification(byte[] wire, int code, int subcode) {
        BgpDecodeException e = catchThrowableOfType(BgpDecodeException.class, () -> BgpCodec.decode(wire, false));
        assertThat(e).as("decoding must fail").isNotNull();
        assertThat(e.notification().code()).as("code").isEqualTo(code);
        assertThat(e.notification().subcode()).as("subcode").isEqualTo(subcode);
    }
}
