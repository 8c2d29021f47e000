package io.ledgerlb.allocator.explorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExplorerAccessTest {
    static final Optional<String> TOKEN = Optional.of("a-token-of-24-characters");

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

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void onLoopbackNoTokenIsNeeded(String bind) throws Exception {
        assertThat(ExplorerAccess.forBind(InetAddress.getByName(bind), Optional.empty()).tokenRequired()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::", "192.0.2.1"})
    void beyondLoopbackATokenIsRequired(String bind) throws Exception {
        InetAddress address = InetAddress.getByName(bind);
        assertThatThrownBy(() -> ExplorerAccess.forBind(address, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("beyond loopback: it needs a token");
        assertThat(ExplorerAccess.forBind(address, TOKEN).tokenRequired()).isTrue();
    }

    @Test
    void aShortTokenIsRefused() throws Exception {
        assertThatThrownBy(() -> ExplorerAccess.forBind(InetAddress.getByName("0.0.0.0"), Optional.of("short")))
                .hasMessageContaining("at least 16 characters");
    }

    @Test
    void onlyTheTokenMatches() {
        ExplorerAccess access = new ExplorerAccess(TOKEN);
        assertThat(access.matches(TOKEN.get())).isTrue();
        assertThat(access.matches(" " + TOKEN.get() + "\n")).isTrue(); // as read from a file
        assertThat(access.matches("a-token-of-24-characterS")).isFalse();
        assertThat(access.matches("")).isFalse();
    }
}
