package io.ledgerlb.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpTextTest {

    /** RFC 5952 §4: zeros compressed once, the longest run (the first of equals), lower case, no leading zeros. */
    @ParameterizedTest
    @CsvSource({
            "2001:db8:99:0:0:0:0:10, 2001:db8:99::10",
            "0:0:0:0:0:0:0:0, ::",
            "0:0:0:0:0:0:0:1, ::1",
            "2001:DB8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
            "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
            "fe80:0:0:0:1:0:0:0, fe80::1:0:0:0",
            "2001:db8:0:0:0:0:2:0, 2001:db8::2:0",
            "fd00:99:0:0:0:0:0:0, fd00:99::",
            "10.99.0.1, 10.99.0.1",
    })
    void writesAddressesInTheirCanonicalForm(String literal, String expected) throws Exception {
        InetAddress address = InetAddress.getByName(literal);
        assertThat(IpText.of(address)).isEqualTo(expected);
        assertThat(InetAddress.getByName(IpText.of(address))).isEqualTo(address);
    }
}
