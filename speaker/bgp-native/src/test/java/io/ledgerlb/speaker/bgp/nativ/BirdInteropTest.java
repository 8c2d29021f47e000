package io.ledgerlb.speaker.bgp.nativ;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ledgerlb.net.Community;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.net.LargeCommunity;
import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.BgpSession;
import io.ledgerlb.speaker.bgp.SessionListener;
import io.ledgerlb.speaker.bgp.SessionState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The native speaker against a real BIRD 2 in a network namespace. */
class BirdInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Community COMMUNITY = new Community(65000, 100);

    private NetnsLab lab;
    private BirdRouter bird;
    private NativeBgpBackend backend;

    @BeforeEach
    void lab() throws Exception {
        NetnsLab.assumeAvailable(BirdRouter.BIRD, BirdRouter.BIRDC, "/usr/sbin/ip");
        lab = new NetnsLab();
        backend = new NativeBgpBackend(new SimpleMeterRegistry());
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (backend != null) {
            backend.close();
        }
        if (bird != null) {
            bird.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    private BgpPeerConfig peer(long myAs, long peerAs, int holdSeconds, boolean gracefulRestart) {
        return new BgpPeerConfig("bird", myAs, peerAs, lab.routerV4, 179, Optional.of(lab.hostV4),
                Duration.ofSeconds(holdSeconds), Duration.ZERO, Duration.ofSeconds(5), lab.hostV4, false,
                gracefulRestart, Optional.empty());
    }

    private static Advertisement ad(String prefix, Long localPref, List<Community> communities, List<LargeCommunity> large) {
        return new Advertisement(IpPrefix.parse(prefix), localPref, communities, large);
    }

    private void awaitEstablished(BgpSession session) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(session.state()).isEqualTo(SessionState.ESTABLISHED));
    }

    @Test
    void ebgpFourOctetAsIpv4AndIpv6WithCommunities() throws Exception {
        bird = new BirdRouter(lab, 65001, 4_200_000_001L, true, 9, "");
        BgpSession session = backend.open(peer(4_200_000_001L, 65001, 9, false), SessionListener.NONE);
        LargeCommunity large = new LargeCommunity(4_200_000_001L, 1, 2);
        session.set(List.of(
                ad("192.0.2.10/32", 300L, List.of(COMMUNITY), List.of(large)),
                ad("2001:db8::10/128", null, List.of(COMMUNITY), List.of())));
        awaitEstablished(session);

        await().atMost(WAIT).untilAsserted(() -> assertThat(bird.route("192.0.2.10/32"))
                .contains("BGP.as_path: 4200000001")
                .contains("BGP.next_hop: " + lab.hostV4.getHostAddress())
                .contains("BGP.community: (65000,100)")
                .contains("BGP.large_community: (4200000001, 1, 2)")
                .contains("BGP.local_pref: 100")); // BIRD's default: LOCAL_PREF 300 is for iBGP only
        await().atMost(WAIT).untilAsserted(() -> assertThat(bird.route("2001:db8::10/128"))
                .contains("BGP.as_path: 4200000001")
                .contains("BGP.next_hop: " + lab.hostV6Text)
                .contains("BGP.community: (65000,100)"));

        session.set(List.of(ad("2001:db8::10/128", null, List.of(COMMUNITY), List.of())));
        await().atMost(WAIT).untilAsserted(() -> assertThat(bird.route("192.0.2.10/32")).isEmpty());
        assertThat(bird.route("2001:db8::10/128")).isNotEmpty();
        session.set(List.of());
        await().atMost(WAIT).untilAsserted(() -> assertThat(bird.route("2001:db8::10/128")).isEmpty());
    }

    @Test
    void ibgpSendsLocalPrefAndAnEmptyAsPath() throws Exception {
        bird = new BirdRouter(lab, 65000, 65000, true, 9, "");
        BgpSession session = backend.open(peer(65000, 65000, 9, false), SessionListener.NONE);
        session.set(List.of(ad("192.0.2.20/32", 250L, List.of(), List.of())));
        awaitEstablished(session);
        await().atMost(WAIT).untilAsserted(() -> assertThat(bird.route("192.0.2.20/32"))
                .contains("BGP.local_pref: 250")
                .contains("BGP.next_hop: " + lab.hostV4.getHostAddress())
                .containsPattern("BGP.as_path: *\\n"));
    }

    @Test
    void twoOctetAsPeerWithoutTheAs4Capability() throws Exception {
        // BIRD without AS4 sends no 4-octet AS capability: AS_PATH goes out with 2-octet AS numbers
        bird = new BirdRouter(lab, 65001, 65000, false, 9, "");
        BgpSession session = backend.open(peer(65000, 65001, 9, false), SessionListener.NONE);
        session.set(List.of(ad("192.0.2.30/32", null, List.of(), List.of()), ad("2001:db8::30/128", null, List.of(), List.of())));
        awaitEstablished(session);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(bird.route("192.0.2.30/32")).contains("BGP.as_path: 65000");
            assertThat(bird.route("2001:db8::30/128")).contains("BGP.as_path: 65000");
        });
    }

    @Test
    void routerRestartBringsSessionAndRoutesBack() throws Exception {
        bird = new BirdRouter(lab, 65001, 65000, true, 9, "");
        BgpSession session = backend.open(peer(65000, 65001, 9, false), SessionListener.NONE);
        session.set(List.of(ad("192.0.2.40/32", null, List.of(), List.of()), ad("2001:db8::40/128", null, List.of(), List.of())));
        awaitEstablished(session);
        await().atMost(WAIT).untilAsserted(() -> assertThat(bird.route("192.0.2.40/32")).isNotEmpty());

        bird.stop();
        await().atMost(WAIT).untilAsserted(() -> assertThat(session.state()).isNotEqualTo(SessionState.ESTABLISHED));
        bird.start();
        awaitEstablished(session);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(bird.route("192.0.2.40/32")).isNotEmpty();
            assertThat(bird.route("2001:db8::40/128")).isNotEmpty();
        });
    }

    @Test
    void holdTimerExpiresWhenTheRouterGoesSilent() throws Exception {
        bird = new BirdRouter(lab, 65001, 65000, true, 3, "");
        BgpSession session = backend.open(peer(65000, 65001, 3, false), SessionListener.NONE);
        awaitEstablished(session);
        lab.signal(bird.process(), "STOP");
        try {
            await().atMost(WAIT).untilAsserted(() -> assertThat(session.state()).isNotEqualTo(SessionState.ESTABLISHED));
        } finally {
            lab.signal(bird.process(), "CONT");
        }
        awaitEstablished(session); // and it recovers once the router answers again
    }

    @Test
    void gracefulRestartKeepsRoutesWhileTheSpeakerRestarts() throws Exception {
        bird = new BirdRouter(lab, 65001, 65000, true, 9, "");
        BgpPeerConfig config = peer(65000, 65001, 9, true);
        BgpSession session = backend.open(config, SessionListener.NONE);
        session.set(List.of(ad("192.0.2.50/32", null, List.of(), List.of())));
        awaitEstablished(session);
        await().atMost(WAIT).untilAsserted(() -> assertThat(bird.route("192.0.2.50/32")).isNotEmpty());

        backend.close(); // the speaker goes away without a NOTIFICATION
        await().atMost(WAIT).untilAsserted(() -> assertThat(bird.protocolState()).doesNotContain("Established"));
        assertThat(bird.route("192.0.2.50/32")).as("kept as stale while the speaker restarts").isNotEmpty();

        backend = new NativeBgpBackend(new SimpleMeterRegistry());
        BgpSession again = backend.open(config, SessionListener.NONE);
        again.set(List.of(ad("192.0.2.50/32", null, List.of(), List.of())));
        awaitEstablished(again);
        await().atMost(WAIT).untilAsserted(() -> assertThat(bird.route("192.0.2.50/32")).isNotEmpty().doesNotContain("stale"));
    }

    @Test
    void closingTheSessionWithdrawsEverything() throws Exception {
        bird = new BirdRouter(lab, 65001, 65000, true, 9, "");
        BgpSession session = backend.open(peer(65000, 65001, 9, true), SessionListener.NONE);
        session.set(List.of(ad("192.0.2.60/32", null, List.of(), List.of())));
        awaitEstablished(session);
        await().atMost(WAIT).untilAsserted(() -> assertThat(bird.route("192.0.2.60/32")).isNotEmpty());
        session.close(); // CEASE: graceful restart does not apply
        await().atMost(WAIT).untilAsserted(() -> assertThat(bird.route("192.0.2.60/32")).isEmpty());
    }

}
