package io.ledgerlb.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
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
    void lengthAndFamilyTellPrefixesApart() {
        assertThat(IpPrefix.parse("192.0.2.0/24")).isNotEqualTo(IpPrefix.parse("192.0.2.0/25"));
        byte[] mappedBytes = new byte[16];
        mappedBytes[10] = (byte) 0xFF;
        mappedBytes[11] = (byte) 0xFF;
        System.arraycopy(new byte[]{(byte) 192, 0, 2, 1}, 0, mappedBytes, 12, 4);
        IpPrefix mapped = IpPrefix.of(mappedBytes, 128); // as the decoder reads an IPv6 NLRI
        assertThat(mapped.ipv6()).isTrue();
        assertThat(mapped).isEqualTo(IpPrefix.parse("::ffff:192.0.2.1/128")).hasToString("::ffff:c000:201/128");
        assertThat(IpPrefix.parse("192.0.2.1/32").ipv6()).isFalse();
        assertThat(mapped).isNotEqualTo(IpPrefix.parse("192.0.2.1/32"));
        assertThat(mapped).isNotEqualTo(IpPrefix.parse("::c000:201/128"));
    }

    @Test
    void ordersByFamilyThenAddressThenLength() {
        List<IpPrefix> sorted = Stream.of("2001:db8::/32", "10.0.0.0/16", "10.0.0.0/8", "9.255.0.0/16", "::/0")
                .map(IpPrefix::parse).sorted().toList();
        assertThat(sorted).map(IpPrefix::toString)
                .containsExactly("9.255.0.0/16", "10.0.0.0/8", "10.0.0.0/16", "::/0", "2001:db8::/32");
    }

    @Test
    void containsTheAddressesOfItsFamilyUnderIt() {
        IpPrefix prefix = IpPrefix.parse("2001:db8::/126");
        assertThat(prefix.contains(IpAddress.parse("2001:db8::3"))).isTrue();
        assertThat(prefix.contains(IpAddress.parse("2001:db8::4"))).isFalse();
        assertThat(IpPrefix.parse("0.0.0.0/0").contains(IpAddress.parse("::1"))).isFalse();
    }

    @Property(tries = 500)
    void textAndBytesRoundTripAndEqualityIsByValue(@ForAll boolean v6, @ForAll long hi, @ForAll long lo,
                                                   @ForAll @IntRange(max = 128) int anyLength) {
        IpAddress address = v6 ? new IpAddress(IpFamily.V6, hi, lo) : IpAddress.v4(lo & 0xFFFF_FFFFL);
        int length = anyLength % (address.family().bits() + 1);
        IpPrefix prefix = new IpPrefix(address, length);
        IpPrefix parsed = IpPrefix.parse(prefix.toString());
        assertThat(parsed).isEqualTo(prefix).hasSameHashCodeAs(prefix).isEqualByComparingTo(prefix);
        assertThat(IpPrefix.of(address.bytes(), length)).isEqualTo(prefix);
        assertThat(prefix.contains(address)).isTrue();
        assertThat(prefix.address()).isEqualTo(address.masked(length));
        // the host bits never matter: another last bit is the same prefix unless the prefix holds every bit
        IpAddress lastBitFlipped = new IpAddress(address.family(), address.hi(), address.lo() ^ 1);
        assertThat(new IpPrefix(lastBitFlipped, length).equals(prefix)).isEqualTo(length < address.family().bits());
    }

    @Test
    void ofTakesALiteralAndALength() {
        assertThat(IpPrefix.of("198.51.100.1", 24)).isEqualTo(IpPrefix.parse("198.51.100.0/24"));
        assertThat(IpPrefix.of("2001:db8::2", 128)).hasToString(IpPrefix.parse("2001:db8::2").toString());
        assertThatThrownBy(() -> IpPrefix.of("example.org", 32)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpPrefix.parse("example.org/32")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not an IP prefix: 'example.org/32'");
        for (String bad : List.of("192.0.2.0/", "192.0.2.0/+8", "192.0.2.0/ 8", "192.0.2.0/-1", "192.0.2.0/0008", "localhost/8")) {
            assertThatThrownBy(() -> IpPrefix.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aLengthBeyondTheAddressIsRefused() {
        assertThatThrownBy(() -> IpPrefix.parse("192.0.2.0/33")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("out of range 0..32");
    }
}
