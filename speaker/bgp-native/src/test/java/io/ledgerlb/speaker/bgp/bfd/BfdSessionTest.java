package io.ledgerlb.speaker.bgp.bfd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The session state machine on a simulated clock: two ends wired back to back, or one end fed by hand. */
class BfdSessionTest {
    private static final long MS = 1_000_000;
    private static final BfdSettings FAST = new BfdSettings(Duration.ofMillis(300), Duration.ofMillis(300), 3, false);

    /** One end, recording what it sends and its state changes. */
    private static final class End implements BfdSession.Output {
        final List<BfdControlPacket> sent = new ArrayList<>();
        final List<String> changes = new ArrayList<>();
        final List<Long> sentAt = new ArrayList<>();
        BfdSession session;
        long now;

        End(long discriminator, BfdSettings settings, double jitter) {
            session = new BfdSession(discriminator, settings, () -> jitter, this, 0);
        }

        @Override
        public void send(BfdControlPacket packet) {
            sent.add(packet);
            sentAt.add(now);
        }

        @Override
        public void stateChanged(BfdState from, BfdState to, int diag) {
            changes.add(from + "->" + to + "(" + diag + ")@" + now / MS);
        }

        BfdControlPacket last() {
            return sent.get(sent.size() - 1);
        }
    }

    /** Runs both ends until {@code until} ns, delivering every packet at once unless {@code linkUp} is false. */
    private static void run(End a, End b, long until, boolean linkUp) {
        while (true) {
            long next = Math.min(a.session.nextDeadline(), b.session.nextDeadline());
            if (next > until) {
                a.now = b.now = until;
                return;
            }
            a.now = b.now = next;
            int sentA = a.sent.size();
            int sentB = b.sent.size();
            if (a.session.nextDeadline() <= next) {
                a.session.tick(next);
            }
            if (b.session.nextDeadline() <= next) {
                b.session.tick(next);
            }
            while (linkUp && (sentA < a.sent.size() || sentB < b.sent.size())) {
                if (sentA < a.sent.size()) {
                    b.session.received(a.sent.get(sentA++), next);
                }
                if (sentB < b.sent.size()) {
                    a.session.received(b.sent.get(sentB++), next);
                }
            }
        }
    }

    @Test
    void twoEndsComeUpThenSpeedUpWithAPollSequence() {
        End a = new End(1, FAST, 0);
        End b = new End(2, FAST, 0);
        run(a, b, 10 * MS, true);
        assertThat(a.session.state()).isEqualTo(BfdState.UP);
        assertThat(b.session.state()).isEqualTo(BfdState.UP);
        assertThat(a.changes).containsExactly("DOWN->INIT(0)@0", "INIT->UP(0)@0");
        assertThat(b.changes).containsExactly("DOWN->INIT(0)@0", "INIT->UP(0)@0"); // both sent Down at 0
        // once both are Up, each polls to announce its 300 ms; the other answers with F at once
        assertThat(a.sent).anyMatch(p -> p.poll() && p.desiredMinTxMicros() == 300_000);
        assertThat(b.sent).anyMatch(BfdControlPacket::fin);
        assertThat(a.session.pollActive()).isFalse();
        assertThat(a.session.txIntervalMicros()).isEqualTo(300_000);
        assertThat(a.session.detectionTimeMicros()).isEqualTo(900_000);
        assertThat(a.sent).noneMatch(p -> p.poll() && p.fin());

        // no jitter taken: exactly one packet per 300 ms
        int before = a.sent.size();
        run(a, b, 10 * MS + 3_000 * MS, true);
        assertThat(a.sent.size() - before).isEqualTo(10);
        assertThat(a.session.state()).isEqualTo(BfdState.UP);
    }

    @Test
    void whileNotUpPacketsGoOneASecond() {
        End a = new End(1, FAST, 0);
        a.session.tick(0);
        a.now = 999 * MS;
        a.session.tick(a.now);
        a.now = 1_000 * MS;
        a.session.tick(a.now);
        assertThat(a.sentAt).containsExactly(0L, 1_000 * MS);
        assertThat(a.last().desiredMinTxMicros()).isEqualTo(1_000_000);
        assertThat(a.last().requiredMinRxMicros()).isEqualTo(300_000);
        assertThat(a.last().yourDiscriminator()).isZero();
        assertThat(a.last().state()).isEqualTo(BfdState.DOWN);
    }

    @Test
    void silenceForTheDetectionTimeTakesItDown() {
        End a = new End(1, FAST, 0);
        End b = new End(2, FAST, 0);
        run(a, b, 5_000 * MS, true);
        long lastHeard = b.sentAt.get(b.sentAt.size() - 1);
        run(a, b, 10_000 * MS, false);
        assertThat(a.session.state()).isEqualTo(BfdState.DOWN);
        assertThat(a.session.diag()).isEqualTo(BfdDiag.DETECTION_TIME_EXPIRED);
        assertThat(a.changes.get(a.changes.size() - 1)).isEqualTo("UP->DOWN(1)@" + (lastHeard + 900 * MS) / MS);
        assertThat(a.session.remoteDiscriminator()).as("reset after silence").isZero();
        assertThat(a.last().yourDiscriminator()).isZero();
        assertThat(a.last().desiredMinTxMicros()).as("back to the slow rate").isEqualTo(1_000_000);
        // and up again once the link is back
        run(a, b, 20_000 * MS, true);
        assertThat(a.session.state()).isEqualTo(BfdState.UP);
        assertThat(b.session.state()).isEqualTo(BfdState.UP);
    }

    @Test
    void timersAreNegotiated() {
        End a = new End(1, new BfdSettings(Duration.ofMillis(100), Duration.ofMillis(200), 3, false), 0);
        End b = new End(2, new BfdSettings(Duration.ofMillis(500), Duration.ofMillis(400), 5, false), 0);
        run(a, b, 10_000 * MS, true);
        // a sends at max(its 100, b's required 400); b at max(its 500, a's required 200)
        assertThat(a.session.txIntervalMicros()).isEqualTo(400_000);
        assertThat(b.session.txIntervalMicros()).isEqualTo(500_000);
        // a declares b down after b's mult 5 × max(a's required 200, b's desired 500)
        assertThat(a.session.detectionTimeMicros()).isEqualTo(2_500_000);
        assertThat(b.session.detectionTimeMicros()).isEqualTo(3 * 400_000);
    }

    @Test
    void aPassiveEndWaitsForThePeer() {
        End passive = new End(1, new BfdSettings(Duration.ofMillis(300), Duration.ofMillis(300), 3, true), 0);
        passive.session.tick(0);
        assertThat(passive.session.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        assertThat(passive.sent).isEmpty();
        End active = new End(2, FAST, 0);
        run(passive, active, 5_000 * MS, true);
        assertThat(passive.session.state()).isEqualTo(BfdState.UP);
        assertThat(passive.sent).isNotEmpty();
    }

    @Test
    void aPollIsAnsweredAtOnceWithFinal() {
        End a = new End(7, FAST, 0);
        a.session.received(peer(BfdState.DOWN, 0, true), 5 * MS);
        assertThat(a.sent).hasSize(2); // the state change to Init, then the Final
        assertThat(a.last().fin()).isTrue();
        assertThat(a.last().poll()).isFalse();
        assertThat(a.last().yourDiscriminator()).isEqualTo(99);
        assertThat(a.last().state()).isEqualTo(BfdState.INIT);
    }

    @Test
    void theNeighborSignalingDownOrAdminDown() {
        End a = new End(7, FAST, 0);
        a.session.received(peer(BfdState.INIT, 7, false), 0);
        assertThat(a.session.state()).isEqualTo(BfdState.UP);
        a.session.received(peer(BfdState.DOWN, 7, false), MS);
        assertThat(a.session.state()).isEqualTo(BfdState.DOWN);
        assertThat(a.session.diag()).isEqualTo(BfdDiag.NEIGHBOR_SIGNALED_DOWN);

        a.session.received(peer(BfdState.INIT, 7, false), 2 * MS);
        a.session.received(peer(BfdState.ADMIN_DOWN, 7, false), 3 * MS);
        assertThat(a.changes).containsExactly("DOWN->UP(0)@0", "UP->DOWN(3)@0", "DOWN->UP(0)@0", "UP->DOWN(3)@0");
    }

    @Test
    void adminDownIsSentAndIgnoresThePeer() {
        End a = new End(7, FAST, 0);
        a.session.received(peer(BfdState.INIT, 7, false), 0);
        a.session.adminDown(MS);
        assertThat(a.last().state()).isEqualTo(BfdState.ADMIN_DOWN);
        assertThat(a.last().diag()).isEqualTo(BfdDiag.ADMIN_DOWN);
        a.session.received(peer(BfdState.INIT, 7, false), 2 * MS);
        assertThat(a.session.state()).isEqualTo(BfdState.ADMIN_DOWN);
    }

    @Test
    void aPacketForAnotherDiscriminatorIsIgnored() {
        End a = new End(7, FAST, 0);
        a.session.received(peer(BfdState.INIT, 8, false), 0);
        assertThat(a.session.state()).isEqualTo(BfdState.DOWN);
        assertThat(a.session.remoteDiscriminator()).isZero();
    }

    @Test
    void aPeerThatWantsNoPacketsGetsNone() {
        End a = new End(7, FAST, 0);
        a.session.received(new BfdControlPacket(0, BfdState.DOWN, false, false, false, false, 3, 99, 0, 1_000_000, 0, 0), 0);
        int sent = a.sent.size();
        for (long t = 0; t < 5_000 * MS; t = a.session.nextDeadline()) {
            a.session.tick(Math.max(t, a.session.nextDeadline()));
        }
        assertThat(a.sent).hasSize(sent);
    }

    @Test
    void jitterTakesUpToAQuarterOffTheInterval() {
        End a = new End(1, FAST, 0.999_999);
        a.session.tick(0);
        assertThat(a.session.nextDeadline()).isBetween(750 * MS, 751 * MS);
        End single = new End(1, new BfdSettings(Duration.ofMillis(300), Duration.ofMillis(300), 1, false), 0);
        single.session.tick(0);
        assertThat(single.session.nextDeadline()).as("detect mult 1: at most 90%").isEqualTo(900 * MS);
    }

    @Test
    void onlyALostPathIsABgpClientsBusinessNotThePeersAdminDown() throws Exception {
        BfdPeer peer = new BfdPeer(java.net.InetAddress.getByName("192.0.2.1"), false, 254, FAST);
        End a = new End(7, FAST, 0);
        a.session.received(peer(BfdState.INIT, 7, false), 0);
        a.session.received(peer(BfdState.ADMIN_DOWN, 7, false), MS);
        assertThat(new BfdEndpoint.Change(peer, BfdState.UP, BfdState.DOWN, "", a.session.remoteState() == BfdState.ADMIN_DOWN,
                false).pathDown()).as("RFC 5882 §3.2: the peer's AdminDown keeps the BGP session").isFalse();
        a.session.received(peer(BfdState.INIT, 7, false), 2 * MS);
        a.session.tick(MS * 2 + 900 * MS);
        assertThat(a.session.diag()).isEqualTo(BfdDiag.DETECTION_TIME_EXPIRED);
        assertThat(new BfdEndpoint.Change(peer, BfdState.UP, BfdState.DOWN, "", a.session.remoteState() == BfdState.ADMIN_DOWN,
                false).pathDown()).isTrue();
        assertThat(new BfdEndpoint.Change(peer, BfdState.INIT, BfdState.DOWN, "", false, false).pathDown())
                .as("never Up: nothing to take down").isFalse();
    }

    @Test
    void aDownFromANewSessionOfThePeerIsNoLostPath() {
        End a = new End(7, FAST, 0);
        a.session.received(peer(BfdState.INIT, 7, false), 0);
        assertThat(a.session.state()).isEqualTo(BfdState.UP);
        // the peer (FRR) replaced its session: discriminator 100 instead of 99, state Down, ours unknown to it
        a.session.received(new BfdControlPacket(0, BfdState.DOWN, false, false, false, false, 3, 100, 0, 1_000_000, 300_000, 0), MS);
        assertThat(a.session.state()).isEqualTo(BfdState.DOWN);
        assertThat(a.session.diag()).isEqualTo(BfdDiag.NEIGHBOR_SIGNALED_DOWN);
        assertThat(a.session.peerRestarted()).isTrue();
        // the same peer session saying Down is its detection timeout: a lost path (one way)
        End b = new End(8, FAST, 0);
        b.session.received(peer(BfdState.INIT, 8, false), 0);
        b.session.received(peer(BfdState.DOWN, 8, false), MS);
        assertThat(b.session.peerRestarted()).isFalse();
    }

    private static BfdControlPacket peer(BfdState state, long yourDiscriminator, boolean poll) {
        return new BfdControlPacket(0, state, poll, false, false, false, 3, 99, yourDiscriminator, 300_000, 300_000, 0);
    }
}
