package io.ledgerlb.speaker.members;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemberTableTest {
    static final long MS = 1_000_000;
    static final long FAIL_AFTER = 500 * MS;

    static MemberState member(String name, long incarnation, long heartbeat) {
        return new MemberState(name, new InetSocketAddress("127.0.0.1", 7000 + name.charAt(0)), incarnation, heartbeat, false);
    }

    static final long JOIN_DELAY = 1000 * MS;
    static final long SKEW_MS = 30_000;
    static final long WALL_MS = 1_000_000; // the wall clock, far beyond the incarnations used here
    final MemberTable table = new MemberTable(member("a", 1, 0), FAIL_AFTER, JOIN_DELAY, SKEW_MS, 0);

    /** Gossip as an unauthenticated sender's: every entry first-hand. */
    boolean merge(List<MemberState> gossip, long now) {
        return table.merge(gossip, null, now, WALL_MS).changed();
    }

    @Test
    void aMemberIsAliveWhileItsHeartbeatAdvances() {
        assertThat(merge(List.of(member("b", 1, 1)), 0)).isTrue();
        assertThat(table.alive()).containsExactly("a", "b");

        assertThat(merge(List.of(member("b", 1, 2)), 400 * MS)).isFalse();
        assertThat(table.expire(800 * MS)).isFalse();
        assertThat(table.alive()).containsExactly("a", "b");

        assertThat(table.expire(901 * MS)).isTrue();
        assertThat(table.alive()).containsExactly("a");
        assertThat(table.status("b")).isEqualTo(MemberTable.Status.DEAD);
    }

    @Test
    void staleNewsDoesNotKeepAMemberAliveNorBringItBack() {
        merge(List.of(member("b", 1, 5)), 0);
        merge(List.of(member("b", 1, 5), member("b", 1, 4)), 400 * MS);
        assertThat(table.expire(501 * MS)).isTrue();

        assertThat(merge(List.of(member("b", 1, 5)), 600 * MS)).isFalse();
        assertThat(table.alive()).containsExactly("a");
    }

    @Test
    void secondHandHeartbeatsKeepAMemberAlive() {
        merge(List.of(member("b", 1, 1), member("c", 1, 1)), 0);
        // b's packets to us are lost, but c tells us about b's newer heartbeats
        merge(List.of(member("c", 1, 5), member("b", 1, 5)), 400 * MS);
        table.expire(700 * MS);
        assertThat(table.alive()).containsExactly("a", "b", "c");
    }

    @Test
    void aLeavingMemberIsGoneAtOnceAndARestartBringsItBack() {
        merge(List.of(member("b", 1, 3)), 0);
        MemberState leaving = new MemberState("b", member("b", 1, 0).address(), 1, 4, true);
        assertThat(merge(List.of(leaving), 10 * MS)).isTrue();
        assertThat(table.alive()).containsExactly("a");
        assertThat(table.gossip(20 * MS)).contains(leaving);

        assertThat(merge(List.of(member("b", 2, 0)), 30 * MS)).isTrue();
        assertThat(table.alive()).containsExactly("a", "b");
    }

    @Test
    void aDeadMemberThatWasOnlyLateComesBackWithItsNextHeartbeat() {
        merge(List.of(member("b", 1, 1)), 0);
        table.expire(600 * MS);
        assertThat(merge(List.of(member("b", 1, 2)), 650 * MS)).isTrue();
        assertThat(table.alive()).containsExactly("a", "b");
    }

    @Test
    void weLeaveOurselvesAndGossipOnlyTheLiving() {
        merge(List.of(member("b", 1, 1), member("c", 1, 1)), 0);
        table.expire(600 * MS);
        merge(List.of(member("b", 1, 2)), 600 * MS);
        assertThat(table.gossip(600 * MS)).extracting(MemberState::name).containsExactly("a", "b");

        table.leave();
        assertThat(table.alive()).containsExactly("b");
        assertThat(table.self().leaving()).isTrue();
    }

    @Test
    void membersMayOwnOnlyOnceAliveForTheJoinDelayAndAgainAfterComingBack() {
        assertThat(table.eligible(0)).isEmpty();
        merge(List.of(member("b", 1, 1)), 500 * MS);
        assertThat(table.eligible(1000 * MS)).as("itself only after join delay + fail-after").isEmpty();
        assertThat(table.eligible(1499 * MS)).isEmpty();
        merge(List.of(member("b", 1, 2)), 1400 * MS);
        assertThat(table.eligible(1500 * MS)).containsExactly("a", "b");

        table.expire(2000 * MS);
        merge(List.of(member("b", 2, 0)), 2100 * MS); // restarted
        assertThat(table.eligible(2500 * MS)).containsExactly("a");
        assertThat(table.eligible(3100 * MS)).containsExactly("a", "b");

        table.leave();
        assertThat(table.eligible(4000 * MS)).containsExactly("b");
    }

    // ---- what an authenticated peer may claim

    static MemberState leaving(String name, long incarnation, long heartbeat) {
        return new MemberState(name, member(name, 1, 0).address(), incarnation, heartbeat, true);
    }

    @Test
    void anIncarnationFromTheFarFutureIsRejectedAndCounted() {
        table.merge(List.of(member("b", 1, 3)), "b", 0, WALL_MS);
        MemberTable.Merged forged = table.merge(List.of(member("c", 1, 1), leaving("b", Long.MAX_VALUE, 4)), "c", 10 * MS, WALL_MS);
        assertThat(forged.rejected()).isEqualTo(1);
        assertThat(table.alive()).containsExactly("a", "b", "c");

        MemberTable.Merged restart = table.merge(List.of(member("b", WALL_MS + SKEW_MS, 0)), "b", 20 * MS, WALL_MS);
        assertThat(restart.rejected()).as("a clock up to maxSkew ahead is fine").isZero();
        assertThat(table.merge(List.of(member("b", WALL_MS + SKEW_MS + 1, 0)), "b", 30 * MS, WALL_MS).rejected()).isEqualTo(1);
    }

    @Test
    void onlyAMemberItselfSaysItLeavesOrRestarted() {
        table.merge(List.of(member("b", 1, 3)), "b", 0, WALL_MS);
        table.merge(List.of(member("c", 1, 1)), "c", 0, WALL_MS);

        assertThat(table.merge(List.of(member("c", 1, 2), leaving("b", 1, 4)), "c", 10 * MS, WALL_MS).changed()).isFalse();
        assertThat(table.merge(List.of(member("c", 1, 3), member("b", 7, 0)), "c", 20 * MS, WALL_MS).changed()).isFalse();
        assertThat(table.gossip(20 * MS)).contains(member("b", 1, 3));
        assertThat(table.merge(List.of(member("c", 1, 4), member("b", 1, 5)), "c", 30 * MS, WALL_MS).changed())
                .as("second-hand heartbeats still count").isFalse();
        assertThat(table.gossip(30 * MS)).contains(member("b", 1, 5));

        assertThat(table.merge(List.of(leaving("b", 1, 6)), "b", 40 * MS, WALL_MS).changed()).isTrue();
        assertThat(table.alive()).containsExactly("a", "c");
    }

    @Test
    void aHeartbeatMayNotRunAheadOfTime() {
        table.merge(List.of(member("b", 1, 3)), "b", 0, WALL_MS);
        assertThat(table.merge(List.of(member("b", 1, Long.MAX_VALUE)), "b", 100 * MS, WALL_MS).rejected()).isEqualTo(1);
        assertThat(table.merge(List.of(member("b", 1, 3 + 100 + 1000)), "b", 100 * MS, WALL_MS).rejected())
                .as("one a millisecond, and some slack").isZero();
    }

    @Test
    void aClaimThatWeLeftOrRestartedIsRefutedWithANewIncarnation() {
        table.beat();
        table.merge(List.of(member("b", 1, 1), leaving("a", 1, 1)), "b", 10 * MS, WALL_MS);
        assertThat(table.refutations()).isEqualTo(1);
        MemberState self = table.self();
        assertThat(self.leaving()).isFalse();
        assertThat(self.incarnation()).isEqualTo(WALL_MS);
        assertThat(self.supersedes(leaving("a", 1, 1))).isTrue();

        table.merge(List.of(member("b", 1, 2), member("a", WALL_MS + 5, 0)), "b", 20 * MS, WALL_MS);
        assertThat(table.self().incarnation()).as("outbids a newer run claimed").isEqualTo(WALL_MS + 6);

        table.merge(List.of(member("b", 1, 3), member("a", WALL_MS + 6, 0)), "b", 30 * MS, WALL_MS);
        assertThat(table.refutations()).as("our own state echoed back is no claim").isEqualTo(2);
    }

    // ---- our own stalls

    @Test
    void afterAStallOfOursHeartbeatsThatWaitedAreFoldedBeforeAnyoneIsFoundSilent() {
        long interval = 100 * MS;
        AwakeClock clock = new AwakeClock(2 * interval, 0);
        long real = 0;
        for (int beat = 1; beat <= 10; beat++, real += interval) {
            table.merge(List.of(member("b", 1, beat)), "b", clock.now(real), WALL_MS);
            table.expire(clock.now(real));
        }
        // we stall 2 s (b kept beating into our socket buffer); the overdue round runs first
        real += 2000 * MS;
        assertThat(table.expire(clock.now(real))).as("our stall is not b's silence").isFalse();
        table.merge(List.of(member("b", 1, 30)), "b", clock.now(real), WALL_MS);
        assertThat(table.alive()).containsExactly("a", "b");

        // b really stops: found dead after failAfter of rounds, as ever
        long lastHeard = clock.now(real);
        int rounds = 0;
        while (table.alive().contains("b")) {
            real += interval;
            table.expire(clock.now(real));
            rounds++;
        }
        assertThat(clock.now(real) - lastHeard).isGreaterThan(FAIL_AFTER).isLessThanOrEqualTo(FAIL_AFTER + interval);
        assertThat(rounds).isEqualTo(6);
    }

    @Test
    void afterAStallLongerThanTheTimeoutEveryLivePeerGetsAFreshWindow() {
        merge(List.of(member("b", 1, 1)), 0);
        merge(List.of(member("c", 1, 1)), 400 * MS);
        table.restartWindows(450 * MS); // we stood still; b was last heard 450 ms before
        assertThat(table.expire(900 * MS)).as("b heard of 450 ms ago on our clock").isFalse();
        assertThat(table.expire(951 * MS)).as("b and c silent for a whole window since we woke").isTrue();
        assertThat(table.alive()).containsExactly("a");
        table.restartWindows(2000 * MS);
        assertThat(table.alive()).as("the dead stay dead").containsExactly("a");
    }

    @Test
    void aSilentMemberWhoseHostVouchesStaysAliveUpToTheStallLimit() {
        merge(List.of(member("b", 1, 1), member("c", 1, 1)), 0);
        assertThat(table.silentFor(200 * MS, 250 * MS)).isEmpty();
        assertThat(table.silentFor(300 * MS, 250 * MS)).extracting(MemberState::name).containsExactlyInAnyOrder("b", "c");
        assertThat(table.expire(600 * MS, "b"::equals, 5000 * MS)).as("c: silent, nobody vouches").isTrue();
        assertThat(table.alive()).containsExactly("a", "b");
        assertThat(table.expire(5000 * MS, "b"::equals, 5000 * MS)).isFalse();
        assertThat(table.expire(5001 * MS, "b"::equals, 5000 * MS)).as("beyond the stall limit").isTrue();
        assertThat(table.alive()).containsExactly("a");
    }

    @Test
    void gossipRoundTripsThroughTheCodec() throws Exception {
        List<MemberState> members = List.of(member("a", 1, 2), new MemberState("node-é",
                new InetSocketAddress("fd00:99::1", 7946), 3, 4, true));
        byte[] bytes = GossipCodec.encode(members);
        assertThat(GossipCodec.decode(bytes, bytes.length)).isEqualTo(members);
    }
}
