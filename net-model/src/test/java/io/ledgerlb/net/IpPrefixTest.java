package io.ledgerlb.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class IpPrefixTest {

    @Test
    void hostBitsAreClearedSoTheSamePrefixIsEqualHowEverItWasWritten() {
        IpPrefix a = IpPrefix.parse("192.0.2.77/24");
        IpPrefix b = IpPrefix.parse("192.0.2.0/24");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).hasToString("192.0.2.0/24");
        assertThat(IpPrefix.parse("2001:db8::1:2/64")).isEqualTo(IpPrefix.parse("2001:db8::/64"))
                .hasSameHashCodeAs(IpPrefix.parse("2001:db8::/64")).hasToString("2001:db8::/64"); // RFC 5952, as IpText
    }

    @Test
    void lengthAndFamilyTellPrefixesApart() throws UnknownHostException {
        assertThat(IpPrefix.parse("192.0.2.0/24")).isNotEqualTo(IpPrefix.parse("192.0.2.0/25"));
        byte[] mappedBytes = new byte[16];
        mappedBytes[10] = (byte) 0xFF;
        mappedBytes[11] = (byte) 0xFF;
        System.arraycopy(new byte[]{(byte) 192, 0, 2, 1}, 0, mappedBytes, 12, 4);
        IpPrefix mapped = new IpPrefix(Inet6Address.getByAddress(null, mappedBytes, -1), 128); // as the decoder keeps it
        assertThat(mapped.ipv6()).isTrue();
        assertThat(IpPrefix.parse("192.0.2.1/32").ipv6()).isFalse();
        assertThat(mapped).isNotEqualTo(IpPrefix.parse("192.0.2.1/32"));
        assertThat(mapped).isNotEqualTo(IpPrefix.parse("::c000:201/128"));
    }

    @Test
    void ofTakesALiteralAndALength() {
        assertThat(IpPrefix.of("198.51.100.1", 24)).isEqualTo(IpPrefix.parse("198.51.100.0/24"));
        assertThat(IpPrefix.of("2001:db8::2", 128)).hasToString(IpPrefix.parse("2001:db8::2").toString());
        assertThatThrownBy(() -> IpPrefix.of("example.org", 32)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpPrefix.parse("example.org/32")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not an IP prefix: 'example.org/32'");
    }

    @Test
    void aLengthBeyondTheAddressIsRefused() {
        assertThatThrownBy(() -> IpPrefix.parse("192.0.2.0/33")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("out of range 0..32");
    }
}
