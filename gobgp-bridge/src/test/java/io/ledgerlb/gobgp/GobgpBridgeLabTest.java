package io.ledgerlb.gobgp;

import io.ledgerlb.gobgp.lab.BgpLab;
import io.ledgerlb.gobgp.lab.BirdRoutes;
import io.ledgerlb.gobgp.lab.Commands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The bridge against a real gobgpd 3.10 peered with a real BIRD 2, in namespaces of their own. */
class GobgpBridgeLabTest {

    private static final long AS = 64512;
    private static final String PASSWORD = "s3cret-from-config";
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static BgpLab lab;
    private static GobgpBridge bridge;

    @BeforeAll
    static void start() throws Exception {
        Commands.requireLabTools();
        lab = BgpLab.create();
        lab.startGobgpd();
        lab.startBird(birdConfig(lab));
        bridge = new GobgpBridge(new GobgpClient(lab.gobgpTarget(), Duration.ofSeconds(5)),
                BgpGlobal.connectOnly(AS, lab.gobgpV4.getHostAddress()), GobgpBridge.Listener.NONE, Duration.ofSeconds(2));
    }

    @AfterAll
    static void stop() {
        if (bridge != null) {
            bridge.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    /** iBGP (so LOCAL_PREF travels): an MD5-protected IPv4 session, an IPv6 one, and one expecting another password. */
    static String birdConfig(BgpLab lab) {
        return """
                template bgp gobgp { local as %1$d; neighbor as %1$d; direct; hold time 9; connect retry time 1; }
                protocol bgp v4 from gobgp {
                  source address %2$s; neighbor %3$s; password "%4$s";
                  ipv4 { import all; export none; gateway direct; };
                }
                protocol bgp v6 from gobgp {
                  source address %5$s; neighbor %6$s;
                  ipv6 { import all; export none; gateway direct; };
                }
                protocol bgp md5other from gobgp {
                  source address %7$s; neighbor %3$s; password "the-right-one";
                  ipv4 { import all; export none; gateway direct; };
                }
                """.formatted(AS, lab.birdV4.getHostAddress(), lab.gobgpV4.getHostAddress(), PASSWORD,
                lab.birdV6.getHostAddress(), lab.gobgpV6.getHostAddress(), lab.birdV4Second.getHostAddress());
    }

    static DesiredPeer peer(InetAddress address, String password, RouteFamily family) {
        return new DesiredPeer(address, AS, 0, 179, Optional.empty(), Duration.ofSeconds(9), Duration.ofSeconds(3),
                Duration.ofSeconds(1), Optional.ofNullable(password), 0, Set.of(family), false);
    }

    static DesiredPath path(String prefix, int length, long localPref, long community, DesiredPath.Large large) {
        Prefix p = Prefix.of(prefix, length);
        return new DesiredPath(p, DesiredPath.unspecified(p.family()), DesiredPath.Origin.IGP, localPref,
                List.of(community), List.of(large));
    }

    private static Map<String, Map<String, String>> birdRoutes(String protocol) {
        return BirdRoutes.parse(lab.birdc("show", "route", "all", "protocol", protocol));
    }

    private static List<DesiredPeer> bothSessions() {
        return List.of(peer(lab.birdV4, PASSWORD, RouteFamily.IPV4_UNICAST), peer(lab.birdV6, null, RouteFamily.IPV6_UNICAST));
    }

    @Test
    void routesReachBirdWithTheirAttributesAndWithdrawalsArrive() {
        bridge.setPeers(bothSessions());
        bridge.setPaths(List.of(
                path("192.0.2.10", 32, 200, 64512L << 16 | 100, new DesiredPath.Large(64512, 1, 2)),
                path("2001:db8::10", 128, 300, 64512L << 16 | 600, new DesiredPath.Large(64512, 6, 7))));

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(birdRoutes("v4")).containsKey("192.0.2.10/32"));
        Map<String, String> v4 = birdRoutes("v4").get("192.0.2.10/32");
        assertThat(v4).containsEntry("BGP.next_hop", lab.gobgpV4.getHostAddress())
                .containsEntry("BGP.local_pref", "200")
                .containsEntry("BGP.community", "(64512,100)")
                .containsEntry("BGP.large_community", "(64512, 1, 2)")
                .containsEntry("BGP.origin", "IGP");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(birdRoutes("v6")).containsKey("2001:db8::10/128"));
        Map<String, String> v6 = birdRoutes("v6").get("2001:db8::10/128");
        assertThat(v6.get("BGP.next_hop")).startsWith("fd00:99:");
        assertThat(Addresses.parse(v6.get("BGP.next_hop").split(" ")[0])).isEqualTo(lab.gobgpV6);
        assertThat(v6).containsEntry("BGP.local_pref", "300")
                .containsEntry("BGP.community", "(64512,600)")
                .containsEntry("BGP.large_community", "(64512, 6, 7)");
        assertThat(bridge.peerState(lab.birdV4)).isEqualTo(PeerSessionState.ESTABLISHED);

        bridge.setPaths(List.of(path("2001:db8::10", 128, 300, 64512L << 16 | 600, new DesiredPath.Large(64512, 6, 7))));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(birdRoutes("v4")).doesNotContainKey("192.0.2.10/32"));
        assertThat(birdRoutes("v6")).containsKey("2001:db8::10/128");
    }
}
