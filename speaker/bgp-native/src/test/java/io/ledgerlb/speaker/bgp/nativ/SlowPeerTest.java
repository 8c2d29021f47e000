package io.ledgerlb.speaker.bgp.nativ;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.BgpSession;
import io.ledgerlb.net.Community;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.speaker.bgp.SessionListener;
import io.ledgerlb.speaker.bgp.SessionState;
import io.ledgerlb.speaker.bgp.codec.BgpMessage;
import io.ledgerlb.speaker.bgp.codec.KeepaliveMessage;
import io.ledgerlb.speaker.bgp.codec.NotificationMessage;
import io.ledgerlb.speaker.bgp.codec.PathAttribute;
import io.ledgerlb.speaker.bgp.codec.UpdateMessage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The native speaker against peers on loopback sockets that stop reading while 50,000 prefixes
 * are advertised: the session's timers keep running, other sessions go on, and what was held
 * back reaches the peer, coalesced, when it reads again.
 */
class SlowPeerTest {
    private static final int PREFIXES = 50_000;
    /** Generous: the hold times here are 3 s, but this machine may be loaded. */
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final long PEER_AS = 65001;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final NativeBgpBackend backend = new NativeBgpBackend(registry);
    private final List<LoopbackPeer> peers = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        backend.close();
        for (LoopbackPeer peer : peers) {
            peer.close();
        }
    }

    private LoopbackPeer peer(int holdSeconds) throws Exception {
        LoopbackPeer peer = new LoopbackPeer(PEER_AS, holdSeconds);
        peers.add(peer);
        return peer;
    }

    private static BgpPeerConfig config(String name, LoopbackPeer peer, int holdSeconds) throws Exception {
        return new BgpPeerConfig(name, 65000, PEER_AS, LoopbackPeer.LOOPBACK, peer.port(), Optional.empty(),
                Duration.ofSeconds(holdSeconds), Duration.ZERO, Duration.ofSeconds(5),
                InetAddress.getByName("10.99.0.1"), false, false, Optional.empty());
    }

    private double gauge(String name, LoopbackPeer peer) {
        return registry.get(name).tag("peer", "127.0.0.1:" + peer.port()).gauge().value();
    }

    private static Advertisement ad(int i, int community) {
        return new Advertisement(prefix(i), null, List.of(new Community(0, community)), List.of());
    }

    private static IpPrefix prefix(int i) {
        return IpPrefix.parse("10." + (64 + i / 65536) + "." + (i / 256 % 256) + "." + (i % 256) + "/32");
    }

    private static List<Advertisement> table(int from, int to, int community) {
        List<Advertisement> ads = new ArrayList<>();
        for (int i = from; i < to; i++) {
            ads.add(ad(i, community));
        }
        return ads;
    }

    /** Records the session's transitions with their reasons. */
    private static final class Transitions implements SessionListener {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public void stateChanged(BgpPeerConfig peer, SessionState from, SessionState to, String reason) {
            seen.add(from + "->" + to + ": " + reason);
        }

        boolean wentDownAfterEstablished() {
            return seen.stream().anyMatch(t -> t.startsWith("ESTABLISHED->"));
        }
    }

    @Test
    void aPeerThatReadsAndSendsNothingIsDroppedByTheHoldTimerWhileOtherSessionsGoOn() throws Exception {
        LoopbackPeer stuck = peer(3);
        LoopbackPeer other = peer(90);
        Transitions stuckTransitions = new Transitions();
        BgpSession stuckSession = backend.open(config("stuck", stuck, 3), stuckTransitions);
        stuck.establish();
        BgpSession otherSession = backend.open(config("other", other, 90), SessionListener.NONE);
        other.establish();
        await().atMost(WAIT).until(() -> stuckSession.state() == SessionState.ESTABLISHED
                && otherSession.state() == SessionState.ESTABLISHED);

        stuckSession.set(table(0, PREFIXES, 1));
        await().atMost(WAIT).until(() -> gauge("ledgerlb_bgp_held_back_prefixes", stuck) > 0);
        assertThat(gauge("ledgerlb_bgp_send_queue_bytes", stuck)).as("the queue stops at its bound, the rest is held back")
                .isGreaterThan(0).isLessThan(OutboundQueue.HIGH_WATER + 64 * 1024 + 1);

        // (b) another session of the same speaker still gets its UPDATE
        otherSession.set(List.of(Advertisement.of(IpPrefix.parse("192.0.2.1/32"))));
        while (!other.routes.containsKey(IpPrefix.parse("192.0.2.1/32"))) {
            other.read();
        }

        // (a) the stuck peer sends no KEEPALIVE: the hold timer ends the session, full send buffer or not
        await().atMost(WAIT).until(stuckTransitions::wentDownAfterEstablished);
        assertThat(stuckTransitions.seen).anyMatch(t -> t.startsWith("ESTABLISHED->")
                && t.contains("hold timer expired") && t.contains("sent NOTIFICATION 4/0"));
        assertThat(gauge("ledgerlb_bgp_held_back_prefixes", stuck)).isZero();

        // the NOTIFICATION went out after the UPDATE that was being written, and was the last message
        List<BgpMessage> rest = stuck.readToEnd();
        assertThat(rest).isNotEmpty();
        assertThat(rest.get(rest.size() - 1)).isEqualTo(new NotificationMessage(NotificationMessage.HOLD_TIMER_EXPIRED, 0));
        assertThat(stuck.routes.size()).as("held-back prefixes were never queued").isLessThan(PREFIXES);
    }

    @Test
    void whatWasHeldBackWhileThePeerDidNotReadArrivesCoalescedWhenItReadsAgain() throws Exception {
        LoopbackPeer slow = peer(9);
        BgpSession session = backend.open(config("slow", slow, 9), SessionListener.NONE);
        slow.establish();
        slow.keepSendingKeepalives(Duration.ofSeconds(1)); // alive, but not reading
        await().atMost(WAIT).until(() -> session.state() == SessionState.ESTABLISHED);

        session.set(table(0, PREFIXES, 1));
        await().atMost(WAIT).until(() -> gauge("ledgerlb_bgp_held_back_prefixes", slow) > 0);

        // while the peer does not read: five rounds of changes to 1,000 prefixes spread over the table,
        // 1,000 withdrawn, 1,000 added and half of them withdrawn again
        Map<IpPrefix, Advertisement> expected = new HashMap<>();
        table(0, PREFIXES, 1).forEach(a -> expected.put(a.prefix(), a));
        for (int community = 2; community <= 6; community++) {
            Map<IpPrefix, Optional<Advertisement>> changes = new HashMap<>();
            for (int i = 0; i < PREFIXES; i += 50) {
                changes.put(prefix(i), Optional.of(ad(i, community)));
                expected.put(prefix(i), ad(i, community));
            }
            session.change(changes, () -> expected.values());
        }
        Map<IpPrefix, Optional<Advertisement>> changes = new HashMap<>();
        for (int i = 25; i < PREFIXES; i += 50) {
            changes.put(prefix(i), Optional.empty());
            expected.remove(prefix(i));
        }
        session.change(changes, () -> expected.values());
        session.change(toMap(table(PREFIXES, PREFIXES + 1_000, 7)), () -> expected.values());
        changes.clear();
        for (int i = PREFIXES; i < PREFIXES + 1_000; i++) {
            if (i % 2 == 0) {
                changes.put(prefix(i), Optional.empty());
            } else {
                expected.put(prefix(i), ad(i, 7));
            }
        }
        session.change(changes, () -> expected.values());
        assertThat(session.state()).as("the keepalives kept it up").isEqualTo(SessionState.ESTABLISHED);
        assertThat(gauge("ledgerlb_bgp_held_back_prefixes", slow)).isGreaterThan(0);

        // (c) the peer reads again: it ends with exactly the table the speaker wants
        while (slow.endOfRibs == 0 || !matches(slow.routes, expected)) {
            slow.read();
        }
        assertThat(slow.routes.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertThat(slow.announcements.values()).as("each prefix at most as first queued and as it is now").allMatch(n -> n <= 2);
        assertThat(slow.announcements.keySet().stream().filter(p -> slow.announcements.get(p) == 2).count())
                .as("a change to a prefix not yet sent does not send it twice").isLessThan(1_000);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(gauge("ledgerlb_bgp_held_back_prefixes", slow)).isZero();
            assertThat(gauge("ledgerlb_bgp_send_queue_bytes", slow)).isZero();
            assertThat(gauge("metallb_bgp_announced_prefixes_total", slow)).isEqualTo(expected.size());
        });
        assertThat(session.state()).isEqualTo(SessionState.ESTABLISHED);
    }

    private static Map<IpPrefix, Optional<Advertisement>> toMap(List<Advertisement> ads) {
        Map<IpPrefix, Optional<Advertisement>> map = new HashMap<>();
        ads.forEach(a -> map.put(a.prefix(), Optional.of(a)));
        return map;
    }

    private static boolean matches(Map<IpPrefix, List<PathAttribute>> routes, Map<IpPrefix, Advertisement> expected) {
        if (routes.size() != expected.size()) {
            return false;
        }
        for (Map.Entry<IpPrefix, Advertisement> e : expected.entrySet()) {
            List<PathAttribute> attributes = routes.get(e.getKey());
            if (attributes == null || !attributes.contains(new PathAttribute.Communities(e.getValue().communities()))) {
                return false;
            }
        }
        return true;
    }
}
