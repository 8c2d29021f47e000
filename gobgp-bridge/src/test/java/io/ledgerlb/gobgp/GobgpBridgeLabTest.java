package io.ledgerlb.gobgp;

import io.ledgerlb.gobgp.lab.BgpLab;
import io.ledgerlb.gobgp.lab.BirdRoutes;
import io.ledgerlb.gobgp.lab.Commands;
import io.ledgerlb.net.Community;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.net.LargeCommunity;
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
        // gobgpd listens (in its own namespace) as well as connecting: BIRD connects 1 s after a
        // neighbor appears, where gobgpd 3.10 would wait 5 to 10 s before its first connect. This also
        // keeps the IPv6 neighbor's address text what gobgpd matches an incoming session with.
        // Connect-only gobgpd is what GoBgpBackendLabTest and the speaker's tests run.
        bridge = new GobgpBridge(new GobgpClient(lab.gobgpTarget(), Duration.ofSeconds(5)),
                new BgpGlobal(AS, lab.gobgpV4.getHostAddress(), 179, List.of()), GobgpBridge.Listener.NONE, Duration.ofSeconds(2));
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

    /** An MD5-protected IPv4 session, an IPv6 one, and one expecting another password. */
    static String birdConfig(BgpLab lab) {
        return BgpLab.birdTemplate(AS)
                + BgpLab.birdSession("v4", lab.birdV4, lab.gobgpV4, PASSWORD, false)
                + BgpLab.birdSession("v6", lab.birdV6, lab.gobgpV6, null, true)
                + BgpLab.birdSession("md5other", lab.birdV4Second, lab.gobgpV4Second, "the-right-one", false);
    }

    static DesiredPeer peer(InetAddress address, String password, RouteFamily family) {
        return new DesiredPeer(address, AS, 0, 179, Optional.empty(), Duration.ofSeconds(9), Duration.ofSeconds(3),
                Duration.ofSeconds(1), Optional.ofNullable(password), 0, Set.of(family), false);
    }

    private static DesiredPeer fromSecondAddress(DesiredPeer peer) {
        return new DesiredPeer(peer.address(), peer.peerAsn(), peer.localAsn(), peer.port(), Optional.of(lab.gobgpV4Second),
                peer.holdTime(), peer.keepalive(), peer.connectRetry(), peer.password(), peer.ebgpMultihopTtl(), peer.families(),
                peer.gracefulRestart());
    }

    static DesiredPath path(String prefix, int length, long localPref, long community, LargeCommunity large) {
        IpPrefix p = IpPrefix.of(prefix, length);
        return new DesiredPath(p, DesiredPath.unspecified(RouteFamily.of(p)), DesiredPath.Origin.IGP, localPref,
                List.of(Community.of(community)), List.of(large));
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
                path("192.0.2.10", 32, 200, 64512L << 16 | 100, new LargeCommunity(64512, 1, 2)),
                path("2001:db8::10", 128, 300, 64512L << 16 | 600, new LargeCommunity(64512, 6, 7))));

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
        assertThat(IpAddress.parseInet(v6.get("BGP.next_hop").split(" ")[0])).isEqualTo(lab.gobgpV6);
        assertThat(v6).containsEntry("BGP.local_pref", "300")
                .containsEntry("BGP.community", "(64512,600)")
                .containsEntry("BGP.large_community", "(64512, 6, 7)");
        // the bridge learns a session's state at its next resync (2 s here), which may come after the routes
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(bridge.peerState(lab.birdV4)).isEqualTo(PeerSessionState.ESTABLISHED));

        bridge.setPaths(List.of(path("2001:db8::10", 128, 300, 64512L << 16 | 600, new LargeCommunity(64512, 6, 7))));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(birdRoutes("v4")).doesNotContainKey("192.0.2.10/32"));
        assertThat(birdRoutes("v6")).containsKey("2001:db8::10/128");
    }

    @Test
    void aWrongMd5PasswordKeepsTheSessionDownAndTheRightOneBringsItUp() {
        DesiredPeer wrong = fromSecondAddress(peer(lab.birdV4Second, "not-the-password", RouteFamily.IPV4_UNICAST));
        bridge.setPeers(List.of(peer(lab.birdV4, PASSWORD, RouteFamily.IPV4_UNICAST), wrong));
        bridge.setPaths(List.of(path("192.0.2.20", 32, 100, 1, new LargeCommunity(1, 2, 3))));

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(birdRoutes("v4")).containsKey("192.0.2.20/32"));
        // the session with the right password came up; the other has had the same time and more, and must not
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7)).untilAsserted(() -> {
            assertThat(bridge.peerState(lab.birdV4Second)).isNotEqualTo(PeerSessionState.ESTABLISHED);
            assertThat(lab.birdc("show", "protocols", "md5other")).doesNotContain("Established");
        });
        assertThat(birdRoutes("md5other")).isEmpty();

        bridge.setPeers(List.of(peer(lab.birdV4, PASSWORD, RouteFamily.IPV4_UNICAST),
                fromSecondAddress(peer(lab.birdV4Second, "the-right-one", RouteFamily.IPV4_UNICAST))));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(birdRoutes("md5other")).containsKey("192.0.2.20/32"));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(bridge.peerState(lab.birdV4Second))
                .isEqualTo(PeerSessionState.ESTABLISHED));
    }

    @Test
    void afterGobgpdIsKilledAndRestartedEveryPeerAndPathIsRestored() {
        bridge.setPeers(bothSessions());
        List<DesiredPath> paths = List.of(path("192.0.2.30", 32, 100, 7, new LargeCommunity(7, 7, 7)),
                path("192.0.2.31", 32, 100, 7, new LargeCommunity(7, 7, 7)),
                path("2001:db8::30", 128, 100, 7, new LargeCommunity(7, 7, 7)));
        bridge.setPaths(paths);
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(birdRoutes("v4")).containsKeys("192.0.2.30/32", "192.0.2.31/32");
            assertThat(birdRoutes("v6")).containsKey("2001:db8::30/128");
        });

        lab.gobgpd().kill();
        await().atMost(PATIENCE).until(() -> !bridge.reachable());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(birdRoutes("v4")).isEmpty());
        assertThat(bridge.peerState(lab.birdV4)).isEqualTo(PeerSessionState.UNREACHABLE);

        lab.startGobgpd();
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(birdRoutes("v4")).containsKeys("192.0.2.30/32", "192.0.2.31/32");
            assertThat(birdRoutes("v6")).containsKey("2001:db8::30/128");
        });
        assertThat(bridge.reachable()).isTrue();
        assertThat(lab.gobgp("neighbor")).contains(lab.birdV4.getHostAddress());
    }

    @Test
    void pathsAddedOrDeletedByHandAreSetRight() {
        bridge.setPeers(bothSessions());
        bridge.setPaths(List.of(path("192.0.2.40", 32, 100, 9, new LargeCommunity(9, 9, 9)),
                path("192.0.2.41", 32, 100, 9, new LargeCommunity(9, 9, 9))));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(birdRoutes("v4")).containsKeys("192.0.2.40/32", "192.0.2.41/32"));

        lab.gobgp("global", "rib", "add", "192.0.2.99/32", "nexthop", "0.0.0.0");
        lab.gobgp("global", "rib", "del", "192.0.2.40/32");
        lab.gobgp("global", "rib", "add", "192.0.2.41/32", "nexthop", "0.0.0.0", "local-pref", "5");
        assertThat(lab.gobgp("global", "rib")).contains("192.0.2.99/32").doesNotContain("192.0.2.40/32");

        // the periodic resync (2 s here) finds the difference and sends only it
        await().atMost(PATIENCE).untilAsserted(() -> {
            Map<String, Map<String, String>> routes = birdRoutes("v4");
            assertThat(routes).containsKeys("192.0.2.40/32", "192.0.2.41/32").doesNotContainKey("192.0.2.99/32");
            assertThat(routes.get("192.0.2.41/32")).containsEntry("BGP.local_pref", "100");
        });
        assertThat(bridge.reconcile().join().empty()).isTrue();
    }
}
