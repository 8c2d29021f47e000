package io.ledgerlb.speaker.bgp.fsm;

import io.ledgerlb.net.Community;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.speaker.bgp.NextHops;
import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.SessionState;
import io.ledgerlb.speaker.bgp.codec.AddressFamily;
import io.ledgerlb.speaker.bgp.codec.BgpCodec;
import io.ledgerlb.speaker.bgp.codec.BgpMessage;
import io.ledgerlb.speaker.bgp.codec.Capability;
import io.ledgerlb.speaker.bgp.codec.KeepaliveMessage;
import io.ledgerlb.speaker.bgp.codec.NotificationMessage;
import io.ledgerlb.speaker.bgp.codec.OpenMessage;
import io.ledgerlb.speaker.bgp.codec.PathAttribute;
import io.ledgerlb.speaker.bgp.codec.RouteRefreshMessage;
import io.ledgerlb.speaker.bgp.codec.UpdateMessage;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The FSM against a fake network and a manual clock. */
class BgpFsmTest {
    static final long LOCAL_AS = 65000;
    static final long PEER_AS = 65001;

    final FakeTimers clock = new FakeTimers();
    final FakeIo io = new FakeIo();
    final List<SessionState> states = new ArrayList<>();
    /** What the FSM reported as failures: "established|cause" or "not established|cause". */
    final List<String> failures = new ArrayList<>();

    /** Records what the FSM asks of the network, decoding what it sends. */
    static final class FakeIo implements SessionIo {
        int connects;
        final List<Conn> closed = new ArrayList<>();

        @Override
        public void connect() {
            connects++;
        }

        @Override
        public void send(BgpConnection connection, List<byte[]> messages) {
            for (byte[] m : messages) {
                try {
                    ((Conn) connection).sent.add(BgpCodec.decode(m, true));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        }

        @Override
        public void close(BgpConnection connection) {
            closed.add((Conn) connection);
        }
    }

    static class Conn implements BgpConnection {
        final boolean inbound;
        final List<BgpMessage> sent = new ArrayList<>();
        /** What {@link #writable()} answers: a test turns it off to stand for a peer that does not read. */
        boolean writable = true;

        Conn(boolean inbound) {
            this.inbound = inbound;
        }

        @Override
        public boolean inbound() {
            return inbound;
        }

        @Override
        public NextHops nextHops() {
            return new NextHops(Optional.of(IpAddress.parse("10.0.0.1")), Optional.of(IpAddress.parse("2001:db8::1")));
        }

        @Override
        public boolean writable() {
            return writable;
        }

        <T extends BgpMessage> List<T> sent(Class<T> type) {
            return sent.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    static Inet4Address ip(String text) {
        try {
            return (Inet4Address) InetAddress.getByName(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }


    BgpPeerConfig peer(long peerAs, int holdSeconds, boolean gracefulRestart) {
        return new BgpPeerConfig("p", LOCAL_AS, peerAs, ip("10.0.0.2"), 179, Optional.empty(),
                Duration.ofSeconds(holdSeconds), Duration.ZERO, Duration.ofSeconds(30), ip("10.0.0.1"), false,
                gracefulRestart, Optional.empty());
    }

    BgpFsm fsm(BgpPeerConfig peer) {
        return new BgpFsm(FsmSettings.active(peer), io, clock, new FsmObserver() {
            @Override
            public void stateChanged(SessionState from, SessionState to, String reason) {
                states.add(to);
            }

            @Override
            public void failed(boolean wasEstablished, String cause) {
                failures.add((wasEstablished ? "established|" : "not established|") + cause);
            }
        });
    }

    static byte[] wire(BgpMessage m) {
        return BgpCodec.encode(m, true);
    }

    static OpenMessage peerOpen(long as, int hold, String id) {
        return OpenMessage.of(as, hold, ip(id), List.of(new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST),
                new Capability.Multiprotocol(AddressFamily.IPV6_UNICAST), new Capability.FourOctetAs(as),
                new Capability.RouteRefresh()));
    }

    /** Connects and completes the OPEN exchange. */
    Conn establish(BgpFsm fsm, int peerHold) {
        fsm.start();
        Conn c = new Conn(false);
        fsm.connected(c);
        fsm.received(c, wire(peerOpen(PEER_AS, peerHold, "10.0.0.2")));
        fsm.received(c, wire(KeepaliveMessage.INSTANCE));
        assertThat(fsm.state()).isEqualTo(SessionState.ESTABLISHED);
        return c;
    }

    @Test
    void openCarriesTheCapabilities() {
        BgpFsm fsm = fsm(new BgpPeerConfig("p", 4_200_000_001L, PEER_AS, ip("10.0.0.2"), 179, Optional.empty(),
                Duration.ofSeconds(90), Duration.ZERO, Duration.ofSeconds(30), ip("10.0.0.1"), false, true, Optional.empty()));
        fsm.start();
        assertThat(io.connects).isEqualTo(1);
        assertThat(fsm.state()).isEqualTo(SessionState.CONNECT);
        Conn c = new Conn(false);
        fsm.connected(c);
        OpenMessage open = c.sent(OpenMessage.class).get(0);
        assertThat(open.myAs()).isEqualTo(OpenMessage.AS_TRANS);
        assertThat(open.asn()).isEqualTo(4_200_000_001L);
        assertThat(open.holdTime()).isEqualTo(90);
        assertThat(open.supports(AddressFamily.IPV4_UNICAST)).isTrue();
        assertThat(open.supports(AddressFamily.IPV6_UNICAST)).isTrue();
        assertThat(open.supportsRouteRefresh()).isTrue();
        Capability.GracefulRestart gr = open.gracefulRestart().orElseThrow();
        assertThat(gr.restartTime()).isEqualTo(120);
        assertThat(gr.families()).allMatch(Capability.GracefulFamily::forwardingPreserved);
        assertThat(fsm.state()).isEqualTo(SessionState.OPEN_SENT);
    }

    @Test
    void establishesAndSendsEverythingThenEndOfRib() {
        BgpFsm fsm = fsm(peer(PEER_AS, 90, false));
        fsm.set(List.of(Advertisement.of(IpPrefix.parse("192.0.2.1/32")), Advertisement.of(IpPrefix.parse("2001:db8::1/128"))));
        Conn c = establish(fsm, 90);
        List<UpdateMessage> updates = c.sent(UpdateMessage.class);
        assertThat(updates).hasSize(4);
        assertThat(updates.get(0).nlri()).containsExactly(IpPrefix.parse("192.0.2.1/32"));
        assertThat(updates.subList(2, 4)).extracting(u -> u.endOfRibFamily().orElseThrow())
                .containsExactly(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
        assertThat(states).containsExactly(SessionState.CONNECT, SessionState.OPEN_SENT, SessionState.OPEN_CONFIRM,
                SessionState.ESTABLISHED);
    }

    @Test
    void setSendsOnlyTheDifference() {
        BgpFsm fsm = fsm(peer(PEER_AS, 90, false));
        fsm.set(List.of(Advertisement.of(IpPrefix.parse("192.0.2.1/32")), Advertisement.of(IpPrefix.parse("192.0.2.2/32"))));
        Conn c = establish(fsm, 90);
        c.sent.clear();
        fsm.set(List.of(Advertisement.of(IpPrefix.parse("192.0.2.2/32")), Advertisement.of(IpPrefix.parse("192.0.2.3/32"))));
        List<UpdateMessage> updates = c.sent(UpdateMessage.class);
        assertThat(updates).hasSize(2);
        assertThat(updates.get(0).withdrawn()).containsExactly(IpPrefix.parse("192.0.2.1/32"));
        assertThat(updates.get(1).nlri()).containsExactly(IpPrefix.parse("192.0.2.3/32"));
        c.sent.clear();
        fsm.set(List.of(Advertisement.of(IpPrefix.parse("192.0.2.2/32")), Advertisement.of(IpPrefix.parse("192.0.2.3/32"))));
        assertThat(c.sent).isEmpty();
    }

    @Test
    void holdTimeIsNegotiatedAndKeepalivesGoEveryThird() {
        BgpFsm fsm = fsm(peer(PEER_AS, 90, false));
        Conn c = establish(fsm, 9);
        int before = c.sent(KeepaliveMessage.class).size();
        clock.advance(Duration.ofSeconds(3));
        assertThat(c.sent(KeepaliveMessage.class)).hasSize(before + 1);
        fsm.received(c, wire(KeepaliveMessage.INSTANCE));
        clock.advance(Duration.ofSeconds(6));
        assertThat(c.sent(KeepaliveMessage.class)).hasSize(before + 3);
        assertThat(fsm.state()).isEqualTo(SessionState.ESTABLISHED);
    }

    @Test
    void holdTimerExpiryResetsTheSessionAndRetries() {
        BgpFsm fsm = fsm(peer(PEER_AS, 90, false));
        Conn c = establish(fsm, 9);
        clock.advance(Duration.ofMillis(8_999));
        assertThat(fsm.state()).isEqualTo(SessionState.ESTABLISHED);
        clock.advance(Duration.ofMillis(1));
        assertThat(c.sent(NotificationMessage.class)).containsExactly(new NotificationMessage(4, 0));
        assertThat(io.closed).contains(c);
        assertThat(fsm.state()).isEqualTo(SessionState.ACTIVE);
        clock.advance(Duration.ofSeconds(1));
        assertThat(io.connects).isEqualTo(2);
    }

    @Test
    void holdTimeZeroMeansNoKeepalivesAndNoExpiry() {
        BgpFsm fsm = fsm(peer(PEER_AS, 90, false));
        Conn c = establish(fsm, 0);
        int keepalives = c.sent(KeepaliveMessage.class).size();
        clock.advance(Duration.ofHours(1));
        assertThat(c.sent(KeepaliveMessage.class)).hasSize(keepalives);
        assertThat(fsm.state()).isEqualTo(SessionState.ESTABLISHED);
    }

    @Test
    void connectRetryBacksOffUpToTheConnectTime() {
        BgpFsm fsm = fsm(peer(PEER_AS, 90, false));
        fsm.start();
        List<Duration> attemptsAt = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            fsm.connectFailed("refused");
            int connects = io.connects;
            while (io.connects == connects) {
                clock.advance(Duration.ofMillis(500));
            }
            attemptsAt.add(clock.now());
        }
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < attemptsAt.size(); i++) {
            gaps.add(attemptsAt.get(i).minus(attemptsAt.get(i - 1)).toSeconds());
        }
        assertThat(gaps).containsExactly(2L, 4L, 8L, 16L, 30L, 30L, 30L);
    }

    @Test
    void wrongPeerAsIsRefused() {
        BgpFsm fsm = fsm(peer(PEER_AS, 90, false));
        fsm.start();
        Conn c = new Conn(false);
        fsm.connected(c);
        fsm.received(c, wire(peerOpen(65099, 90, "10.0.0.2")));
        NotificationMessage n = c.sent(NotificationMessage.class).get(0);
        assertThat(n.code()).isEqualTo(2);
        assertThat(n.subcode()).isEqualTo(2);
        assertThat(io.closed).contains(c);
        assertThat(failures).containsExactly("not established|peer AS 65099, expected 65001,"
                + " sent NOTIFICATION 2/2 (OPEN Message Error / Bad Peer AS) data=fe4b");
    }

    @Test
    void failuresAreReportedWithTheirCauseButStopsAndCollisionsAreNot() {
        BgpFsm fsm = fsm(peer(PEER_AS, 90, false));
        Conn c = establish(fsm, 90);
        fsm.received(c, wire(new NotificationMessage(6, 2)));
        assertThat(failures).containsExactly("established|peer sent NOTIFICATION 6/2 (Cease / Administrative Shutdown)");

        clock.advance(Duration.ofSeconds(1));
        fsm.connectFailed("java.net.ConnectException: Connection refused");
        clock.advance(Duration.ofSeconds(2));
        Conn d = new Conn(false);
        fsm.connected(d);
        fsm.closed(d, "end of stream");
        assertThat(failures).containsExactly("established|peer sent NOTIFICATION 6/2 (Cease / Administrative Shutdown)",
                "not established|connect failed: java.net.ConnectException: Connection refused",
                "not established|connection closed: end of stream");

        failures.clear();
        Conn e = new Conn(false);
        clock.advance(Duration.ofSeconds(4));
        fsm.connected(e);
        fsm.received(e, wire(new NotificationMessage(6, 7))); // the peer keeps its own connection
        fsm.stop();
        assertThat(failures).isEmpty();
    }

    @Test
    void ibgpPeerWithOurIdentifierIsRefused() {
        BgpFsm fsm = fsm(peer(LOCAL_AS, 90, false));
        fsm.start();
        Conn c = new Conn(false);
        fsm.connected(c);
        fsm.received(c, wire(peerOpen(LOCAL_AS, 90, "10.0.0.1")));
        assertThat(c.sent(NotificationMessage.class)).containsExactly(new NotificationMessage(2, 3));
    }

    @Test
    void unexpectedMessagesAreFsmErrors() {
        BgpFsm fsm = fsm(peer(PEER_AS, 90, false));
        fsm.start();
        Conn c = new Conn(false);
        fsm.connected(c);
        fsm.received(c, wire(KeepaliveMessage.INSTANCE));
        assertThat(c.sent(NotificationMessage.class)).containsExactly(new NotificationMessage(5, 1));

        clock.advance(Duration.ofSeconds(1));
        Conn d = new Conn(false);
        fsm.connected(d);
        fsm.received(d, wire(peerOpen(PEER_AS, 90, "10.0.0.2")));
        fsm.received(d, wire(UpdateMessage.endOfRib(AddressFamily.IPV4_UNICAST)));
        assertThat(d.sent(NotificationMessage.class)).containsExactly(new NotificationMessage(5, 2));

        clock.advance(Duration.ofSeconds(2));
        Conn e = establish(fsm, 90);
        fsm.received(e, wire(peerOpen(PEER_AS, 90, "10.0.0.2")));
        assertThat(e.sent(NotificationMessage.class)).containsExactly(new NotificationMessage(5, 3));
    }

    @Test
    void aMalformedMessageGetsItsNotification() {
        BgpFsm fsm = fsm(peer(PEER_AS, 90, false));
        Conn c = establish(fsm, 90);
        byte[] bad = wire(KeepaliveMessage.INSTANCE);
        bad[0] = 0;
        fsm.received(c, bad);
        assertThat(c.sent(NotificationMessage.class)).containsExactly(new NotificationMessage(1, 1));
        assertThat(fsm.state()).isEqualTo(SessionState.ACTIVE);
    }

    @Test
    void collisionKeepsTheConnectionOfTheHigherIdentifier() {
        // local id 10.0.0.1 < remote 10.0.0.2: the peer's (inbound) connection survives
        BgpFsm fsm = fsm(peer(PEER_AS, 90, false));
        fsm.start();
        Conn out = new Conn(false);
        fsm.connected(out);
        fsm.received(out, wire(peerOpen(PEER_AS, 90, "10.0.0.2")));
        Conn in = new Conn(true);
        fsm.connected(in);
        fsm.received(in, wire(peerOpen(PEER_AS, 90, "10.0.0.2")));
        assertThat(out.sent(NotificationMessage.class)).containsExactly(new NotificationMessage(6, 7));
        assertThat(io.closed).containsExactly(out);
        fsm.received(in, wire(KeepaliveMessage.INSTANCE));
        assertThat(fsm.state()).isEqualTo(SessionState.ESTABLISHED);
    }

    @Test
    void collisionWithALowerRemoteIdentifierKeepsOurConnection() {
        BgpFsm fsm = fsm(peer(PEER_AS, 90, false));
        fsm.start();
        Conn out = new Conn(false);
        fsm.connected(out);
        fsm.received(out, wire(peerOpen(PEER_AS, 90, "10.0.0.0")));
        Conn in = new Conn(true);
        fsm.connected(in);
        fsm.received(in, wire(peerOpen(PEER_AS, 90, "10.0.0.0")));
        assertThat(in.sent(NotificationMessage.class)).containsExactly(new NotificationMessage(6, 7));
        assertThat(io.closed).containsExactly(in);
        assertThat(fsm.state()).isEqualTo(SessionState.OPEN_CONFIRM);
    }

    @Test
    void aConnectionWhileEstablishedIsRefused() {
        BgpFsm fsm = fsm(peer(PEER_AS, 90, false));
        establish(fsm, 90);
        Conn late = new Conn(true);
        fsm.connected(late);
        assertThat(late.sent(NotificationMessage.class)).containsExactly(new NotificationMessage(6, 7));
        assertThat(fsm.state()).isEqualTo(SessionState.ESTABLISHED);
    }

    @Test
    void stopSendsCeaseAndStopForRestartSendsNothing() {
        BgpFsm fsm = fsm(peer(PEER_AS, 90, true));
        Conn c = establish(fsm, 90);
        fsm.stop();
        assertThat(c.sent(NotificationMessage.class)).containsExactly(new NotificationMessage(6, 2));
        assertThat(fsm.state()).isEqualTo(SessionState.IDLE);
        clock.advance(Duration.ofMinutes(5));
        assertThat(io.connects).isEqualTo(1);

        BgpFsm restarting = fsm(peer(PEER_AS, 90, true));
        Conn d = establish(restarting, 90);
        restarting.stopForRestart();
        assertThat(d.sent(NotificationMessage.class)).isEmpty();
        assertThat(io.closed).contains(d);
    }

    @Test
    void routeRefreshResendsTheFamily() {
        BgpFsm fsm = fsm(peer(PEER_AS, 90, false));
        fsm.set(List.of(Advertisement.of(IpPrefix.parse("192.0.2.1/32")), Advertisement.of(IpPrefix.parse("2001:db8::1/128"))));
        Conn c = establish(fsm, 90);
        c.sent.clear();
        fsm.received(c, wire(new RouteRefreshMessage(AddressFamily.IPV6_UNICAST)));
        List<UpdateMessage> updates = c.sent(UpdateMessage.class);
        assertThat(updates).hasSize(2);
        assertThat(updates.get(1).endOfRibFamily()).contains(AddressFamily.IPV6_UNICAST);
    }

    @Test
    void reconnectSendsEverythingAgain() {
        BgpFsm fsm = fsm(peer(PEER_AS, 90, false));
        fsm.set(List.of(Advertisement.of(IpPrefix.parse("192.0.2.1/32"))));
        Conn c = establish(fsm, 90);
        fsm.closed(c, "reset by peer");
        clock.advance(Duration.ofSeconds(1));
        Conn d = new Conn(false);
        fsm.connected(d);
        fsm.received(d, wire(peerOpen(PEER_AS, 90, "10.0.0.2")));
        fsm.received(d, wire(KeepaliveMessage.INSTANCE));
        assertThat(d.sent(UpdateMessage.class).get(0).nlri()).containsExactly(IpPrefix.parse("192.0.2.1/32"));
    }

    static Advertisement withCommunity(String prefix, int community) {
        return new Advertisement(IpPrefix.parse(prefix), null, List.of(new Community(0, community)), List.of());
    }

    @Test
    void whileTheConnectionIsNotWritableChangesWaitAndThenGoOutCoalesced() {
        BgpFsm fsm = fsm(peer(PEER_AS, 90, false));
        fsm.set(List.of(Advertisement.of(IpPrefix.parse("192.0.2.1/32")), Advertisement.of(IpPrefix.parse("192.0.2.2/32"))));
        fsm.start();
        Conn c = new Conn(false);
        fsm.connected(c);
        fsm.received(c, wire(peerOpen(PEER_AS, 9, "10.0.0.2")));
        c.writable = false;
        fsm.received(c, wire(KeepaliveMessage.INSTANCE));
        assertThat(fsm.state()).isEqualTo(SessionState.ESTABLISHED);
        assertThat(c.sent(UpdateMessage.class)).as("nothing while the peer does not read, not even End-of-RIB").isEmpty();

        for (int community = 1; community <= 5; community++) {
            fsm.change(Map.of(IpPrefix.parse("192.0.2.1/32"), Optional.of(withCommunity("192.0.2.1/32", community))));
        }
        fsm.change(Map.of(IpPrefix.parse("192.0.2.2/32"), Optional.empty()));
        fsm.change(Map.of(IpPrefix.parse("192.0.2.3/32"), Optional.of(Advertisement.of(IpPrefix.parse("192.0.2.3/32")))));
        fsm.change(Map.of(IpPrefix.parse("192.0.2.3/32"), Optional.empty()));
        clock.advance(Duration.ofSeconds(3));
        assertThat(c.sent(KeepaliveMessage.class)).as("timers run on").hasSize(2);
        assertThat(c.sent(UpdateMessage.class)).isEmpty();

        c.writable = true;
        fsm.writable(c);
        List<UpdateMessage> updates = c.sent(UpdateMessage.class);
        assertThat(updates).as("192.0.2.1 once, as it is now; 192.0.2.2 and .3 never; then End-of-RIBs").hasSize(3);
        assertThat(updates.get(0).nlri()).containsExactly(IpPrefix.parse("192.0.2.1/32"));
        assertThat(updates.get(0).attributes()).contains(new PathAttribute.Communities(List.of(new Community(0, 5))));
        assertThat(updates.subList(1, 3)).extracting(u -> u.endOfRibFamily().orElseThrow())
                .containsExactly(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
    }

    @Test
    void theHoldTimerExpiresWhileTheConnectionIsNotWritable() {
        BgpFsm fsm = fsm(peer(PEER_AS, 90, false));
        Conn c = establish(fsm, 9);
        c.writable = false;
        fsm.set(List.of(Advertisement.of(IpPrefix.parse("192.0.2.1/32"))));
        clock.advance(Duration.ofSeconds(9));
        assertThat(c.sent(NotificationMessage.class)).containsExactly(new NotificationMessage(4, 0));
        assertThat(io.closed).contains(c);
        assertThat(fsm.state()).isEqualTo(SessionState.ACTIVE);
    }

    @Test
    void aTableLargerThanAChunkGoesOutAChunkAtATimeWhileWritable() {
        BgpFsm fsm = fsm(peer(PEER_AS, 90, false));
        List<Advertisement> many = new ArrayList<>();
        for (int i = 0; i < BgpFsm.CHUNK * 3; i++) {
            many.add(Advertisement.of(IpPrefix.parse("10.99." + (i / 256) + "." + (i % 256) + "/32")));
        }
        fsm.set(many);
        fsm.start();
        int[] chunksAllowed = {1};
        Conn c = new Conn(false) {
            @Override
            public boolean writable() {
                return chunksAllowed[0]-- > 0; // each "yes" takes one chunk, then the queue is full
            }
        };
        fsm.connected(c);
        fsm.received(c, wire(peerOpen(PEER_AS, 90, "10.0.0.2")));
        fsm.received(c, wire(KeepaliveMessage.INSTANCE));
        assertThat(announced(c)).isEqualTo(BgpFsm.CHUNK);
        assertThat(c.sent(UpdateMessage.class)).noneMatch(u -> u.endOfRibFamily().isPresent());

        chunksAllowed[0] = 10;
        fsm.writable(c);
        assertThat(announced(c)).isEqualTo(BgpFsm.CHUNK * 3);
        List<UpdateMessage> updates = c.sent(UpdateMessage.class);
        assertThat(updates.get(updates.size() - 1).endOfRibFamily()).isPresent();
    }

    private static int announced(Conn c) {
        return c.sent(UpdateMessage.class).stream().mapToInt(u -> u.nlri().size()).sum();
    }

    @Test
    void passiveSessionsNeverConnect() {
        BgpFsm fsm = new BgpFsm(FsmSettings.active(peer(PEER_AS, 90, false)).withPassive(true), io, clock,
                FsmObserver.NONE);
        fsm.start();
        assertThat(fsm.state()).isEqualTo(SessionState.ACTIVE);
        clock.advance(Duration.ofMinutes(5));
        assertThat(io.connects).isZero();
        Conn in = new Conn(true);
        fsm.connected(in);
        assertThat(in.sent(OpenMessage.class)).hasSize(1);
    }
}
