package io.ledgerlb.speaker.members;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AwakeClockTest {
    @Test
    void runsWithTheRealClockAndCountsAStallAsOneMaxStep() {
        AwakeClock clock = new AwakeClock(200, 1000);
        assertThat(clock.now(1100)).isEqualTo(1100);
        assertThat(clock.now(1250)).isEqualTo(1250);
        assertThat(clock.now(5250)).as("a 4000 stall").isEqualTo(1450);
        assertThat(clock.now(5300)).isEqualTo(1500);
        assertThat(clock.now(5200)).as("never backwards").isEqualTo(1500);
    }
}
