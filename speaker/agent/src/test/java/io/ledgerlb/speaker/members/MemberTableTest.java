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
    final MemberTable table = new MemberTable(member("a", 1, 0), FAIL_AFTER, JOIN_DELAY, 0);

    @Test
    void aMemberIsAliveWhileItsHeartbeatAdvances() {
        assertThat(table.merge(List.of(member("b", 1, 1)), 0)).isTrue();
        assertThat(table.alive()).containsExactly("a", "b");

        assertThat(table.merge(List.of(member("b", 1, 2)), 400 * MS)).isFalse();
        assertThat(table.expire(800 * MS)).isFalse();
        assertThat(table.alive()).containsExactly("a", "b");

        assertThat(table.expire(901 * MS)).isTrue();
        assertThat(table.alive()).containsExactly("a");
        assertThat(table.status("b")).isEqualTo(MemberTable.Status.DEAD);
    }

    @Test
    void staleNewsDoesNotKeepAMemberAliveNorBringItBack() {
        table.merge(List.of(member("b", 1, 5)), 0);
        table.merge(List.of(member("b", 1, 5), member("b", 1, 4)), 400 * MS);
        assertThat(table.expire(501 * MS)).isTrue();

        assertThat(table.merge(List.of(member("b", 1, 5)), 600 * MS)).isFalse();
        assertThat(table.alive()).containsExactly("a");
    }

    @Test
    void secondHandHeartbeatsKeepAMemberAlive() {
        table.merge(List.of(member("b", 1, 1), member("c", 1, 1)), 0);
        // b's packets to us are lost, but c tells us about b's newer heartbeats
        table.merge(List.of(member("c", 1, 5), member("b", 1, 5)), 400 * MS);
        table.expire(700 * MS);
        assertThat(table.alive()).containsExactly("a", "b", "c");
    }

    @Test
    void aLeavingMemberIsGoneAtOnceAndARestartBringsItBack() {
        table.merge(List.of(member("b", 1, 3)), 0);
        MemberState leaving = new MemberState("b", member("b", 1, 0).address(), 1, 4, true);
        assertThat(table.merge(List.of(leaving), 10 * MS)).isTrue();
        assertThat(table.alive()).containsExactly("a");
        assertThat(table.gossip(20 * MS)).contains(leaving);

        assertThat(table.merge(List.of(member("b", 2, 0)), 30 * MS)).isTrue();
        assertThat(table.alive()).containsExactly("a", "b");
    }

    @Test
    void aDeadMemberThatWasOnlyLateComesBackWithItsNextHeartbeat() {
        table.merge(List.of(member("b", 1, 1)), 0);
        table.expire(600 * MS);
        assertThat(table.merge(List.of(member("b", 1, 2)), 650 * MS)).isTrue();
        assertThat(table.alive()).containsExactly("a", "b");
    }

    @Test
    void weLeaveOurselvesAndGossipOnlyTheLiving() {
        table.merge(List.of(member("b", 1, 1), member("c", 1, 1)), 0);
        table.expire(600 * MS);
        table.merge(List.of(member("b", 1, 2)), 600 * MS);
        assertThat(table.gossip(600 * MS)).extracting(MemberState::name).containsExactly("a", "b");

        table.leave();
        assertThat(table.alive()).containsExactly("b");
        assertThat(table.self().leaving()).isTrue();
    }

    @Test
    void membersMayOwnOnlyOnceAliveForTheJoinDelayAndAgainAfterComingBack() {
        assertThat(table.eligible(0)).isEmpty();
        table.merge(List.of(member("b", 1, 1)), 500 * MS);
        assertThat(table.eligible(1000 * MS)).as("itself only after join delay + fail-after").isEmpty();
        assertThat(table.eligible(1499 * MS)).isEmpty();
        table.merge(List.of(member("b", 1, 2)), 1400 * MS);
        assertThat(table.eligible(1500 * MS)).containsExactly("a", "b");

        table.expire(2000 * MS);
        table.merge(List.of(member("b", 2, 0)), 2100 * MS); // restarted
        assertThat(table.eligible(2500 * MS)).containsExactly("a");
        assertThat(table.eligible(3100 * MS)).containsExactly("a", "b");

        table.leave();
        assertThat(table.eligible(4000 * MS)).containsExactly("b");
    }

    @Test
    void gossipRoundTripsThroughTheCodec() throws Exception {
        List<MemberState> members = List.of(member("a", 1, 2), new MemberState("node-é",
                new InetSocketAddress("fd00:99::1", 7946), 3, 4, true));
        byte[] bytes = GossipCodec.encode(members);
        assertThat(GossipCodec.decode(bytes, bytes.length)).isEqualTo(members);
    }
}
