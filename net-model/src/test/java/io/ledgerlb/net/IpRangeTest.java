package io.ledgerlb.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpRangeTest {

    @ParameterizedTest
    @CsvSource({
            "10.99.0.0/16, 10.99.0.0, 10.99.255.255, 65536",
            "10.99.0.7/24, 10.99.0.0, 10.99.0.255, 256",
            "192.0.2.5/32, 192.0.2.5, 192.0.2.5, 1",
            "0.0.0.0/0, 0.0.0.0, 255.255.255.255, 4294967296",
            "192.0.2.10-192.0.2.20, 192.0.2.10, 192.0.2.20, 11",
            "' 192.0.2.10 - 192.0.2.10 ', 192.0.2.10, 192.0.2.10, 1",
            "2001:db8::/120, 2001:db8::, 2001:db8::ff, 256",
            "2001:db8::/64, 2001:db8::, 2001:db8::ffff:ffff:ffff:ffff, 9223372036854775807",
            "2001:db8::/63, 2001:db8::, 2001:db8:0:1:ffff:ffff:ffff:ffff, 9223372036854775807",
            "2001:db8::ff-2001:db8::1:1, 2001:db8::ff, 2001:db8::1:1, 65283",
    })
    void parsesCidrsAndRanges(String text, String first, String last, long size) {
        IpRange range = IpRange.parse(text);
        assertThat(range.first()).hasToString(first);
        assertThat(range.last()).hasToString(last);
        assertThat(range.size()).isEqualTo(size);
    }

    @Test
    void clearErrors() {
        assertThatThrownBy(() -> IpRange.parse("10.0.0.0/33")).hasMessageContaining("malformed CIDR '10.0.0.0/33'")
                .hasMessageContaining("0 to 32");
        assertThatThrownBy(() -> IpRange.parse("10.0.0.0/x")).hasMessageContaining("malformed CIDR");
        assertThatThrownBy(() -> IpRange.parse("10.0.0/24")).hasMessageContaining("malformed address range '10.0.0/24'");
        assertThatThrownBy(() -> IpRange.parse("10.0.0.9-10.0.0.1")).hasMessageContaining("reversed");
        assertThatThrownBy(() -> IpRange.parse("10.0.0.1-2001:db8::1")).hasMessageContaining("mixes IPv4 and IPv6");
        assertThatThrownBy(() -> IpRange.parse("10.0.0.1")).hasMessageContaining("neither a CIDR");
        assertThatThrownBy(() -> IpRange.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> IpRange.parse("2001:db8::/129")).hasMessageContaining("0 to 128");
    }

    @Test
    void iterationOffsetsAndOverlap() {
        IpRange range = IpRange.parse("10.0.0.254-10.0.1.1");
        assertThat(range.get(0)).hasToString("10.0.0.254");
        assertThat(range.get(3)).hasToString("10.0.1.1");
        assertThat(range.offsetOf(IpAddress.parse("10.0.1.0"))).isEqualTo(2);
        assertThat(range.contains(IpAddress.parse("10.0.1.2"))).isFalse();
        assertThat(range.overlaps(IpRange.parse("10.0.1.0/24"))).isTrue();
        assertThat(range.overlaps(IpRange.parse("10.0.1.2/31"))).isFalse();
        assertThat(IpRange.parse("::/0").overlaps(IpRange.parse("0.0.0.0/0"))).isFalse();
    }
}
