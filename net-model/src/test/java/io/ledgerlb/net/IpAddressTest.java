package io.ledgerlb.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressTest {

    @ParameterizedTest
    @CsvSource({
            "192.0.2.1, 192.0.2.1",
            "0.0.0.0, 0.0.0.0",
            "255.255.255.255, 255.255.255.255",
            "2001:DB8::1, 2001:db8::1",
            "2001:db8:0:0:0:0:0:1, 2001:db8::1",
            "::, ::",
            "::1, ::1",
            "2001:db8::, 2001:db8::",
            "2001:db8:0:1:0:0:0:0, 2001:db8:0:1::",
            "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
            "2001:0:0:1:1:0:0:1, 2001::1:1:0:0:1",
            "2001:db8:1:1:1:1:1:1, 2001:db8:1:1:1:1:1:1",
            "::ffff:192.0.2.1, ::ffff:c000:201",
            "2001:db8:0:1:1:1:1:0, 2001:db8:0:1:1:1:1:0",
    })
    void parsesAndPrintsCanonically(String text, String canonical) {
        assertThat(IpAddress.parse(text).toString()).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.", "a.b.c.d", "1..2.3",
            "2001:db8::1::2", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "12345::", "2001:db8:::1", "g::1", "1:2:3:4:5:6:7",
            "::1.2.3", "1:", "banana", "1.2.3.4/24", "१.2.3.4"})
    void refusesWhatIsNotAnAddress(String text) {
        assertThatThrownBy(() -> IpAddress.parse(text)).isInstanceOf(InvalidAddressException.class);
    }

    @Property(tries = 300)
    void v6TextRoundTripsAndMatchesTheJdk(@ForAll long hi, @ForAll long lo) throws Exception {
        IpAddress ip = new IpAddress(IpFamily.V6, hi, lo);
        assertThat(IpAddress.parse(ip.toString())).isEqualTo(ip);
        // the JDK prints uncompressed text of the same address
        assertThat(IpAddress.parse(InetAddress.getByName(ip.toString()).getHostAddress())).isEqualTo(ip);
    }

    @Property(tries = 300)
    void convertsToAndFromTheJdksAddressBitForBit(@ForAll long hi, @ForAll long lo, @ForAll int v4) throws Exception {
        IpAddress v6 = new IpAddress(IpFamily.V6, hi, lo);
        InetAddress jdk = InetAddress.getByName(v6.toString());
        assertThat(v6.toInetAddress()).isEqualTo(jdk);
        if (jdk instanceof java.net.Inet6Address) { // the JDK turns IPv4-mapped addresses into IPv4
            assertThat(IpAddress.of(jdk)).isEqualTo(v6);
        }
        IpAddress ip4 = IpAddress.v4(Integer.toUnsignedLong(v4));
        assertThat(ip4.toInetAddress()).isEqualTo(InetAddress.getByName(ip4.toString()));
        assertThat(IpAddress.of(ip4.toInetAddress())).isEqualTo(ip4);
    }

    @Test
    void parsesIntoTheJdksAddressWithoutALookup() throws Exception {
        assertThat(IpAddress.parseInet("192.0.2.7")).isEqualTo(InetAddress.getByName("192.0.2.7"));
        assertThat(IpAddress.parseInet("2001:db8::7")).isEqualTo(InetAddress.getByName("2001:db8::7"));
        assertThat(IpAddress.parseInet("::ffff:192.0.2.1")).isEqualTo(InetAddress.getByName("192.0.2.1"));
        assertThatThrownBy(() -> IpAddress.parseInet("localhost")).isInstanceOf(InvalidAddressException.class)
                .hasMessage("'localhost' is not an IP address");
    }

    @Property(tries = 300)
    void zeroRunsCompressFirstLongest(@ForAll long hi, @ForAll long lo) {
        // mask random groups to zero, then check RFC 5952's rules on the text
        IpAddress ip = new IpAddress(IpFamily.V6, hi & 0xFFFF0000FFFF0000L, lo & 0x0000FFFF0000FFFFL);
        String text = ip.toString();
        assertThat(text).doesNotContain(":::").isEqualTo(text.toLowerCase());
        assertThat(text.split("::", -1).length).isLessThanOrEqualTo(2);
        assertThat(IpAddress.parse(text)).isEqualTo(ip);
    }

    @Test
    void arithmeticCarriesAcrossHalves() {
        IpAddress a = IpAddress.parse("2001:db8::ffff:ffff:ffff:ffff");
        assertThat(a.plus(1).toString()).isEqualTo("2001:db8:0:1::");
        assertThat(a.distanceTo(a.plus(1))).isEqualTo(1);
        assertThat(IpAddress.parse("::").distanceTo(IpAddress.parse("1::"))).isEqualTo(Long.MAX_VALUE);
        assertThat(IpAddress.parse("10.0.0.255").plus(1).toString()).isEqualTo("10.0.1.0");
    }

    @Test
    void buggyMeansIpv4EndingInZeroOr255() {
        assertThat(IpAddress.parse("10.0.0.0").isBuggy()).isTrue();
        assertThat(IpAddress.parse("10.0.0.255").isBuggy()).isTrue();
        assertThat(IpAddress.parse("10.0.0.1").isBuggy()).isFalse();
        assertThat(IpAddress.parse("2001:db8::ff").isBuggy()).isFalse();
    }

    @Test
    void ordersV4BeforeV6AndUnsigned() {
        assertThat(IpAddress.parse("255.0.0.0")).isLessThan(IpAddress.parse("::"));
        assertThat(IpAddress.parse("8000::")).isGreaterThan(IpAddress.parse("7fff::"));
    }
}
