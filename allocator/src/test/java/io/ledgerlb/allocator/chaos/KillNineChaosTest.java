package io.ledgerlb.allocator.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short pass of the chaos run for CI: {@code kill -9} of the allocator process ten times
 * during churn (more with {@code -Dledgerlb.chaos.kills=N}; the long run is
 * {@code bench/chaos-kill9.sh}). Nothing acknowledged may be lost, forked, doubled or moved.
 */
class KillNineChaosTest {
    @Test
    void tenKillsDuringChurnForkNothingLoseNothingMoveNothing(@TempDir Path dir) throws Exception {
        int kills = Integer.getInteger("ledgerlb.chaos.kills", 10);
        long seed = Long.getLong("ledgerlb.chaos.seed", System.nanoTime());
        KillNineChaos.Figures figures = new KillNineChaos(dir.resolve("data"), seed).run(kills);
        System.out.println("chaos (seed " + seed + "): " + figures);
        assertThat(figures.kills()).isEqualTo(kills);
        assertThat(figures.servicesCreated()).as("churn happened").isPositive();
        assertThat(figures.problems()).as(figures.toString()).isEmpty();
        assertThat(figures.forks()).isZero();
        assertThat(figures.acknowledgedLost()).isZero();
        assertThat(figures.ipsHeldTwice()).isZero();
        assertThat(figures.ipsChangedAcrossRestart()).isZero();
    }
}
