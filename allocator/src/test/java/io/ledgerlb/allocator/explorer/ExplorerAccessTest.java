package io.ledgerlb.allocator.explorer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExplorerAccessTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.1.2.3", "[::1]", "[0:0:0:0:0:0:0:1]"})
    void loopbackLiteralsAreLoopback(String host) {
        assertThat(ExplorerAccess.isLoopbackLiteral(host)).isTrue();
    }

    /** Names are never resolved; IPv6 only in brackets, IPv4 only without; IPv4-mapped IPv6 is not taken. */
    @ParameterizedTest
    @ValueSource(strings = {"localhost", "127.0.0.1.nip.io", "::1", "[127.0.0.1]", "[::ffff:127.0.0.1]", "10.0.0.1",
            "[2001:db8::1]", "", "[]", "0x7f.0.0.1"})
    void anythingElseIsNot(String host) {
        assertThat(ExplorerAccess.isLoopbackLiteral(host)).isFalse();
    }
}
