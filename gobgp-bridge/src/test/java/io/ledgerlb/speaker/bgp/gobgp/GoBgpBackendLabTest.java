package io.ledgerlb.speaker.bgp.gobgp;

import io.ledgerlb.gobgp.Addresses;
import io.ledgerlb.gobgp.lab.BgpLab;
import io.ledgerlb.gobgp.lab.BirdRoutes;
import io.ledgerlb.gobgp.lab.Commands;
import io.ledgerlb.net.Community;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.net.LargeCommunity;
import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.BgpSession;
import io.ledgerlb.speaker.bgp.SessionState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The speaker's BGP contract served by a real gobgpd 3.10, seen from a real BIRD 2. */
class GoBgpBackendLabTest {

    private static final long AS = 64512;
    // generous: a loaded machine (and the fuzz tests' instrumentation in the same JVM) can take ~20 s
    // before the first gRPC call reaches gobgpd
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    private BgpLab lab;
    private GoBgpBackend backend;

    @BeforeEach
    void start() throws Exception {
        Commands.requireLabTools();
        lab = BgpLab.create();
        lab.startGobgpd();
        lab.startBird(BgpLab.birdTemplate(AS)
                + BgpLab.birdSession("v4", lab.birdV4, lab.gobgpV4, "from-the-secret", false)
                + BgpLab.birdSession("v6", lab.birdV6, lab.gobgpV6, null, true));
        backend = new GoBgpBackend(GoBgpSettings.at(lab.gobgpTarget()).withResync(Duration.ofSeconds(2)).inOtherNamespace());
    }

    @AfterEach
    void stop() {
        if (backend != null) {
            backend.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    private BgpPeerConfig peer(String name, InetAddress address, Optional<String> password) {
        return new BgpPeerConfig(name, AS, AS, address, 179, Optional.empty(), Duration.ofSeconds(9), Duration.ofSeconds(3),
                Duration.ofSeconds(1), lab.gobgpV4, false, false, password);
    }

    private Map<String, Map<String, String>> birdRoutes(String protocol) {
        return BirdRoutes.parse(lab.birdc("show", "route", "all", "protocol", protocol));
    }

    @Test
    void sessionsComeUpAndTheirPrefixesReachTheRouterWithTheNodesAddressAsNextHop() {
        List<SessionState> v4States = new CopyOnWriteArrayList<>();
        BgpSession v4 = backend.open(peer("v4", lab.birdV4, Optional.of("from-the-secret")), (p, from, to, why) -> v4States.add(to));
        BgpSession v6 = backend.open(peer("v6", lab.birdV6, Optional.empty()), (p, from, to, why) -> { });
        Advertisement service = new Advertisement(IpPrefix.parse("192.0.2.50/32"), 120L, List.of(new Community(64512, 50)),
                List.of(new LargeCommunity(64512, 5, 0)));
        Advertisement service6 = new Advertisement(IpPrefix.parse("2001:db8::50/128"), null, List.of(), List.of());
        v4.set(List.of(service));
        v6.set(List.of(service6));

        await().atMost(PATIENCE).until(() -> v4.state() == SessionState.ESTABLISHED && v6.state() == SessionState.ESTABLISHED);
        assertThat(v4States).endsWith(SessionState.ESTABLISHED);
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(birdRoutes("v4")).containsKey("192.0.2.50/32");
            assertThat(birdRoutes("v6")).containsKey("2001:db8::50/128");
        });
        assertThat(birdRoutes("v4").get("192.0.2.50/32")).containsEntry("BGP.next_hop", lab.gobgpV4.getHostAddress())
                .containsEntry("BGP.local_pref", "120").containsEntry("BGP.community", "(64512,50)")
                .containsEntry("BGP.large_community", "(64512, 5, 0)").containsEntry("BGP.origin", "IGP");
        String v6NextHop = birdRoutes("v6").get("2001:db8::50/128").get("BGP.next_hop").split(" ")[0];
        assertThat(IpAddress.parseInet(v6NextHop)).isEqualTo(lab.gobgpV6);

        v4.set(List.of());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(birdRoutes("v4")).doesNotContainKey("192.0.2.50/32"));

        v6.close();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(lab.birdc("show", "protocols", "v6")).doesNotContain("Established"));
        assertThat(birdRoutes("v6")).isEmpty();
        assertThat(v4.state()).isEqualTo(SessionState.ESTABLISHED);
    }
}
