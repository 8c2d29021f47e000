package io.ledgerlb.kube.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parts that have not worked yet are quiet; a part going down is counted, told and shown with its reason. */
class HealthTest {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final Health health = new Health(registry, "allocator");
    final List<Health.Change> changes = new ArrayList<>();

    HealthTest() {
        health.onChange(changes::add);
    }

    double up(String component) {
        return registry.get("ledgerlb_allocator_component_up").tag("component", component).gauge().value();
    }

    double failures(String component) {
        return registry.get("ledgerlb_allocator_component_failures").tag("component", component).counter().count();
    }

    @Test
    void startingIsNotReadyButNeitherCountedNorTold() {
        assertThat(health.notReady()).containsExactly("nothing reported yet");
        health.report("informers", Health.Status.starting("not synced yet"));
        health.report("ledger", Health.Status.starting("the ledger's end is not read yet"));
        assertThat(health.ready()).isFalse();
        assertThat(health.notReady()).containsExactly("informers: not synced yet", "ledger: the ledger's end is not read yet");
        assertThat(up("informers")).isZero();
        assertThat(failures("informers")).isZero();
        assertThat(changes).isEmpty();

        health.report("informers", Health.Status.working());
        health.report("ledger", Health.Status.working());
        assertThat(health.ready()).isTrue();
        assertThat(health.notReady()).isEmpty();
        assertThat(up("informers")).isEqualTo(1);
        assertThat(changes).extracting(Health.Change::component).containsExactly("informers", "ledger");
    }

    @Test
    void aPartDownIsCountedOncePerReasonAndToldWithIt() {
        health.up("ledger");
        health.report("ledger", Health.Status.down("Kafka has not answered"));
        health.report("ledger", Health.Status.down("Kafka has not answered"));
        assertThat(failures("ledger")).isEqualTo(1);
        health.report("ledger", Health.Status.down("the folded state is behind"));
        assertThat(failures("ledger")).isEqualTo(2);
        assertThat(health.problem("ledger")).contains("the folded state is behind");
        assertThat(changes).extracting(Health.Change::up).containsExactly(true, false, false);
        assertThat(changes.get(1)).isEqualTo(new Health.Change("allocator", "ledger", false, "Kafka has not answered"));

        health.report("ledger", Health.Status.starting("no leader known")); // once it worked, starting again is down
        assertThat(failures("ledger")).isEqualTo(3);
        health.up("ledger");
        assertThat(health.problem("ledger")).isEmpty();
        assertThat(changes.get(changes.size() - 1).up()).isTrue();
    }

    @Test
    void aPartDownBeforeItEverWorkedIsCounted() {
        health.starting("capture-eth1", "not checked yet");
        health.down("capture-eth1", "its thread stopped");
        health.down("never-started", "could not start");
        assertThat(failures("capture-eth1")).isEqualTo(1);
        assertThat(failures("never-started")).isEqualTo(1);
        assertThat(changes).extracting(Health.Change::component).containsExactly("capture-eth1", "never-started");
    }

    @Test
    void aPartReportedUpAgainAndAgainStaysQuiet() {
        health.up("informers");
        health.up("informers");
        health.report("informers", Health.Status.working());
        assertThat(failures("informers")).isZero();
        assertThat(changes).hasSize(1);
        assertThat(up("informers")).isEqualTo(1);
    }

    @Test
    void deadFailsLiveness() {
        assertThat(health.live()).isTrue();
        health.dead();
        assertThat(health.live()).isFalse();
    }
}
