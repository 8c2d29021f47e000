package io.ledgerlb.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CommunityTest {

    @ParameterizedTest
    @CsvSource({
            "65000:100, 65000:100, 4259840100",
            "0:0, 0:0, 0",
            "65535:65535, 65535:65535, 4294967295",
            "007:08, 7:8, 458760",
    })
    void parsesAsnAndValueIntoTheAttributesValue(String text, String canonical, long bits) {
        Community community = Community.parse(text);
        assertThat(community.toString()).isEqualTo(canonical);
        assertThat(community.bits()).isEqualTo(bits);
        assertThat(Community.of(bits)).isEqualTo(community);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "65000", "65536:1", "1:65536", "1:2:3", "-1:2", "+1:2", "a:b", " 1:2", "1:", ":1", "12345678901:1"})
    void refusesWhatIsNotTwo16BitNumbers(String text) {
        assertThatThrownBy(() -> Community.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("community '" + text + "' is not two 16-bit numbers AS:value");
    }

    @ParameterizedTest
    @CsvSource({
            "65000:1:2, 65000:1:2",
            "4294967295:0:4294967295, 4294967295:0:4294967295",
            "01:02:03, 1:2:3",
    })
    void parsesLargeCommunities(String text, String canonical) {
        assertThat(LargeCommunity.parse(text).toString()).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1:2", "1:2:3:4", "4294967296:0:0", "-1:0:0", "a:b:c", "1:2: 3"})
    void refusesWhatIsNotThree32BitNumbers(String text) {
        assertThatThrownBy(() -> LargeCommunity.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a large community is three numbers a:b:c");
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, 0x1_0000_0000L})
    void aLargeCommunityPartIsUnsigned32Bit(long part) {
        assertThatThrownBy(() -> new LargeCommunity(part, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
