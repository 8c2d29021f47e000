package io.ledgerlb.speaker.bgp.nativ;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.BgpSession;
import io.ledgerlb.speaker.bgp.SessionListener;
import io.ledgerlb.speaker.bgp.SessionState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/** The session TTL policy, and a key the kernel cannot take: the session says why and never connects. */
class TcpOptionsTest {

    private static BgpPeerConfig peer(long peerAs, boolean multihop, Optional<String> password) throws Exception {
        return new BgpPeerConfig("p", 64500, peerAs, InetAddress.getLoopbackAddress(), 179, Optional.empty(),
                Duration.ofSeconds(9), Duration.ZERO, Duration.ofSeconds(1), InetAddress.getByName("192.0.2.1"), multihop, false, password);
    }

    @Test
    void ttlIsOneForSingleHopEbgpOnly() throws Exception {
        assertThat(peer(64501, false, Optional.empty()).ipTtl()).isEqualTo(1);
        assertThat(peer(64501, true, Optional.empty()).ipTtl()).isEqualTo(255);
        assertThat(peer(64500, false, Optional.empty()).ipTtl()).isEqualTo(255);
    }

    @Test
    void aPasswordLongerThanTheKernelTakesIsReportedAndNothingConnects() throws Exception {
        try (ServerSocket router = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             NativeBgpBackend backend = new NativeBgpBackend(new SimpleMeterRegistry())) {
            BgpPeerConfig tooLong = peer(64501, false, Optional.of("k".repeat(TcpOptions.MAX_KEY_LENGTH + 1)));
            tooLong = new BgpPeerConfig(tooLong.name(), tooLong.myAsn(), tooLong.peerAsn(), tooLong.peerAddress(), router.getLocalPort(),
                    tooLong.sourceAddress(), tooLong.holdTime(), tooLong.keepaliveTime(), tooLong.connectTime(), tooLong.routerId(),
                    false, false, tooLong.password());
            Queue<String> failures = new ConcurrentLinkedQueue<>();
            BgpSession session = backend.open(tooLong, new SessionListener() {
                @Override
                public void stateChanged(BgpPeerConfig peer, SessionState from, SessionState to, String reason) {
                }

                @Override
                public void failed(BgpPeerConfig peer, boolean wasEstablished, String cause) {
                    failures.add(cause);
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> !failures.isEmpty());
            assertThat(failures.peek()).contains("TCP MD5 password must have 1 to 80 bytes, this one has 81");
            assertThat(session.state()).isNotEqualTo(SessionState.ESTABLISHED);
            router.setSoTimeout(200);
            assertThat(accepts(router)).as("a connection reached the router").isFalse();
        }
    }

    private static boolean accepts(ServerSocket router) {
        try (var ignored = router.accept()) {
            return true;
        } catch (java.io.IOException timedOut) {
            return false;
        }
    }
}
