package io.ledgerlb.allocator.k8s.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationTest {

    @ParameterizedTest
    @CsvSource({"90s,90000", "1m30s,90000", "1.5h,5400000", "0s,0", "0,0", "250ms,250", "2h0m3s,7203000"})
    void parsesGoDurations(String text, long millis) {
        assertThat(GoDuration.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "90", "s", "1m 30s", "-3s", "3d", "1s2"})
    void refusesAnythingElse(String text) {
        assertThatThrownBy(() -> GoDuration.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a duration");
    }
}
