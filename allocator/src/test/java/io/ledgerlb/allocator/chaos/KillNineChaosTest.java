package io.ledgerlb.allocator.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short pass of the chaos run for CI: {@code kill -9} of the allocator process ten times
 * during churn (more with {@code -Dledgerlb.chaos.kills=N}; the long run is
 * {@code bench/chaos-kill9.sh}). Nothing acknowledged may be lost, forked, doubled or moved.
 * With {@code -Dledgerlb.chaos.brokers=3} (not in CI) the same run against three Kafka nodes in
 * JVMs of their own instead of the embedded broker, the events partition's leader killed once too,
 * then all three nodes for a while; {@code /readyz} is watched through both outages. Once per run
 * the speaker stands still (SIGSTOP) through an outage while entries are written, and must not be
 * ready again before it has folded them.
 */
class KillNineChaosTest {
    private static final String BROKERS = "ledgerlb.chaos.brokers";

    @Test
    @DisabledIfSystemProperty(named = BROKERS, matches = "3")
    void tenKillsDuringChurnForkNothingLoseNothingMoveNothing(@TempDir Path dir) throws Exception {
        int kills = Integer.getInteger("ledgerlb.chaos.kills", 10);
        long seed = Long.getLong("ledgerlb.chaos.seed", System.nanoTime());
        KillNineChaos.Figures figures = new KillNineChaos(dir.resolve("data"), seed).run(kills);
        assertNothingLost(figures, kills, seed);
    }

    @Test
    @EnabledIfSystemProperty(named = BROKERS, matches = "3")
    void killsOfTheAllocatorAndOfTheEventsLeaderOnAThreeNodeKafkaLoseNothing(@TempDir Path dir) throws Exception {
        int kills = Integer.getInteger("ledgerlb.chaos.kills", 20);
        long seed = Long.getLong("ledgerlb.chaos.seed", System.nanoTime());
        long started = System.nanoTime();
        try (KafkaCluster cluster = new KafkaCluster(dir.resolve("kafka")).start()) {
            KillNineChaos.Figures figures = new KillNineChaos(dir.resolve("data"), seed, cluster).run(kills);
            System.out.printf("chaos on 3 Kafka nodes took %.0f s%n", (System.nanoTime() - started) / 1e9);
            assertThat(figures.brokerKills()).as("the events leader was killed once, then every node").hasSize(2);
            assertNothingLost(figures, kills, seed);
        }
    }

    private static void assertNothingLost(KillNineChaos.Figures figures, int kills, long seed) {
        System.out.println("chaos (seed " + seed + "): " + figures);
        assertThat(figures.kills()).isEqualTo(kills);
        assertThat(figures.servicesCreated()).as("churn happened").isPositive();
        assertThat(figures.problems()).as(figures.toString()).isEmpty();
        assertThat(figures.forks()).isZero();
        assertThat(figures.acknowledgedLost()).isZero();
        assertThat(figures.ipsHeldTwice()).isZero();
        assertThat(figures.ipsChangedAcrossRestart()).isZero();
        assertThat(figures.speakerBehind()).as("the speaker stood still through one outage and was checked after it").hasSize(1);
    }
}
