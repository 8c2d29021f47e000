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

/** The native speaker against a real gobgpd 3.10 in a network namespace. */
class GobgpInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private NetnsLab lab;
    private GobgpRouter gobgp;
    private NativeBgpBackend backend;

    @BeforeEach
    void lab() throws Exception {
        NetnsLab.assumeAvailable(GobgpRouter.GOBGPD, GobgpRouter.GOBGP, "/usr/sbin/ip");
        lab = new NetnsLab();
        backend = new NativeBgpBackend(new SimpleMeterRegistry());
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (backend != null) {
            backend.close();
        }
        if (gobgp != null) {
            gobgp.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    private BgpPeerConfig peer(long myAs, long peerAs) {
        return new BgpPeerConfig("gobgp", myAs, peerAs, lab.routerV4, 179, Optional.of(lab.hostV4),
                Duration.ofSeconds(9), Duration.ZERO, Duration.ofSeconds(5), lab.hostV4, false, false, Optional.empty());
    }

    @Test
    void ebgpIpv4AndIpv6WithCommunitiesAndWithdrawal() throws Exception {
        gobgp = new GobgpRouter(lab, 65001, 4_200_000_001L);
        BgpSession session = backend.open(peer(4_200_000_001L, 65001), SessionListener.NONE);
        session.set(List.of(
                new Advertisement(IpPrefix.parse("198.51.100.1/32"), 300L, List.of(new Community(65000, 7)),
                        List.of(new LargeCommunity(4_200_000_001L, 5, 6))),
                new Advertisement(IpPrefix.parse("2001:db8:7::/64"), null, List.of(), List.of(new LargeCommunity(1, 2, 3)))));
        await().atMost(WAIT).untilAsserted(() -> assertThat(session.state()).isEqualTo(SessionState.ESTABLISHED));
        await().atMost(WAIT).untilAsserted(() -> assertThat(gobgp.rib("ipv4"))
                .contains("198.51.100.1/32")
                .contains(lab.hostV4.getHostAddress())
                .contains("4200000001")
                .contains("65000:7")
                .contains("4200000001:5:6")
                .doesNotContain("LocalPref"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(gobgp.rib("ipv6"))
                .contains("2001:db8:7::/64")
                .contains(lab.hostV6Text)
                .contains("1:2:3"));

        session.set(List.of());
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(gobgp.rib("ipv4")).doesNotContain("198.51.100.1/32");
            assertThat(gobgp.rib("ipv6")).doesNotContain("2001:db8:7::/64");
        });
    }

    @Test
    void ibgpCarriesLocalPref() throws Exception {
        gobgp = new GobgpRouter(lab, 65000, 65000);
        BgpSession session = backend.open(peer(65000, 65000), SessionListener.NONE);
        session.set(List.of(new Advertisement(IpPrefix.parse("198.51.100.2/32"), 250L, List.of(), List.of())));
        await().atMost(WAIT).untilAsserted(() -> assertThat(gobgp.ribJson("ipv4"))
                .contains("198.51.100.2/32")
                .contains("\"value\":250")
                .contains(lab.hostV4.getHostAddress()));
    }
}
