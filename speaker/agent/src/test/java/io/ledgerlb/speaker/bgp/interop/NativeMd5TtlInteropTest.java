package io.ledgerlb.speaker.bgp.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.BgpSession;
import io.ledgerlb.speaker.bgp.SessionListener;
import io.ledgerlb.speaker.bgp.SessionState;
import io.ledgerlb.speaker.bgp.nativ.NativeBgpBackend;
import io.ledgerlb.speaker.bgp.nativ.NetnsLab;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The native backend's TCP MD5 signatures (RFC 2385) and IP TTL against FRR and BIRD, one lab
 * each: speaker 1 on single-hop eBGP over IPv4 and speaker 2 on iBGP over IPv6, each with the key
 * the router has, reach Established and their route arrives; their packets leave with TTL 1 and
 * hop limit 255, MD5-signed, as captured in the router's namespace. Speaker 3 first signs with a
 * wrong key: the router never has the session up while our side reports why; with the right key
 * it comes up. And the router connecting to us: a listening backend with speaker 1's iBGP key
 * accepts the router's signed connection.
 */
class NativeMd5TtlInteropTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final IpPrefix SERVICE = IpPrefix.parse("192.0.2.201/32");
    private static final String KEY = "ledgerlb-md5-key";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"FRR", "BIRD"})
    void passwordPeersWorkWithTheRightKeyOnlyAndPacketsCarryTheSessionsTtl(String routerName) throws Exception {
        NetnsLab.assumeAvailable("/usr/sbin/ip", "/usr/bin/tcpdump", FrrRouter.BGPD, "/usr/sbin/bird");
        try (InteropLab lab = new InteropLab();
             NativeBgpBackend backend = new NativeBgpBackend(new SimpleMeterRegistry());
             NativeBgpBackend passive = new NativeBgpBackend(new SimpleMeterRegistry())) {
            Map<InetAddress, String> passwords = Map.of(lab.speaker(1, SessionKind.EBGP_4OCTET_IPV4), KEY,
                    lab.speaker(2, SessionKind.IBGP_IPV6), KEY, lab.speaker(3, SessionKind.EBGP_4OCTET_IPV4), KEY,
                    lab.speaker(1, SessionKind.IBGP_IPV4), KEY);
            try (Router router = "FRR".equals(routerName) ? new FrrRouter(lab, passwords) : new BirdRouter(lab, passwords)) {
                Process ttl1 = capture(lab, 1, lab.speaker(1, SessionKind.EBGP_4OCTET_IPV4));
                Process hops255 = capture(lab, 2, lab.speaker(2, SessionKind.IBGP_IPV6));

                // the router connects to us: the listener holds the peer's key, the accepted connection is signed
                passive.listen(new InetSocketAddress(lab.speaker(1, SessionKind.IBGP_IPV4), 179));
                passive.openPassive(withPassword(lab.peer(1, SessionKind.IBGP_IPV4), KEY), SessionListener.NONE);
                BgpSession ebgp = open(backend, lab, 1, SessionKind.EBGP_4OCTET_IPV4, KEY, SessionListener.NONE);
                BgpSession ibgp6 = open(backend, lab, 2, SessionKind.IBGP_IPV6, KEY, SessionListener.NONE);
                Queue<String> failures = new ConcurrentLinkedQueue<>();
                SessionListener recordFailures = new SessionListener() {
                    @Override
                    public void stateChanged(BgpPeerConfig peer, SessionState from, SessionState to, String reason) {
                    }

                    @Override
                    public void failed(BgpPeerConfig peer, boolean wasEstablished, String cause) {
                        failures.add(cause);
                    }
                };
                BgpSession wrongKey = open(backend, lab, 3, SessionKind.EBGP_4OCTET_IPV4, "not-the-routers-key", recordFailures);

                await().atMost(PATIENCE).untilAsserted(() -> {
                    assertThat(router.established(lab.speaker(1, SessionKind.EBGP_4OCTET_IPV4))).isTrue();
                    assertThat(router.established(lab.speaker(2, SessionKind.IBGP_IPV6))).isTrue();
                    assertThat(router.established(lab.speaker(1, SessionKind.IBGP_IPV4))).isTrue();
                    assertThat(router.paths(SERVICE)).extracting(RouterPath::from).contains(
                            lab.speaker(1, SessionKind.EBGP_4OCTET_IPV4), lab.speaker(2, SessionKind.IBGP_IPV6));
                });
                await().atMost(PATIENCE).until(() -> failures.size() >= 2);
                // the router had as long as the good sessions needed, and our side retried at least twice
                assertThat(router.established(lab.speaker(3, SessionKind.EBGP_4OCTET_IPV4))).isFalse();
                assertThat(wrongKey.state()).isNotEqualTo(SessionState.ESTABLISHED);
                assertThat(router.paths(SERVICE)).extracting(RouterPath::from).doesNotContain(lab.speaker(3, SessionKind.EBGP_4OCTET_IPV4));
                assertThat(failures.peek()).contains("connect failed").contains("TCP MD5");

                wrongKey.close();
                open(backend, lab, 3, SessionKind.EBGP_4OCTET_IPV4, KEY, SessionListener.NONE);
                await().atMost(PATIENCE).untilAsserted(() -> assertThat(router.paths(SERVICE)).extracting(RouterPath::from)
                        .contains(lab.speaker(3, SessionKind.EBGP_4OCTET_IPV4)));

                assertThat(packet(ttl1, lab, 1)).contains("ttl 1,").contains("md5");
                assertThat(packet(hops255, lab, 2)).contains("hlim 255,").contains("md5");
                ebgp.close();
                ibgp6.close();
            }
        }
    }

    private static BgpSession open(NativeBgpBackend backend, InteropLab lab, int speaker, SessionKind kind, String password,
                                   SessionListener listener) {
        BgpSession session = backend.open(withPassword(lab.peer(speaker, kind), password), listener);
        session.set(List.of(Advertisement.of(SERVICE)));
        return session;
    }

    private static BgpPeerConfig withPassword(BgpPeerConfig plain, String password) {
        return new BgpPeerConfig(plain.name(), plain.myAsn(), plain.peerAsn(), plain.peerAddress(), plain.peerPort(),
                plain.sourceAddress(), plain.holdTime(), plain.keepaliveTime(), plain.connectTime(), plain.routerId(),
                plain.ebgpMultihop(), plain.gracefulRestart(), Optional.of(password));
    }

    /** tcpdump on the router's side of speaker {@code i}'s link: the first BGP packet the speaker sends there. */
    static Process capture(InteropLab lab, int i, InetAddress from) throws IOException {
        String log = "tcpdump-" + i + ".out";
        Process tcpdump = lab.lab.spawn(lab.routerNode, List.of("/usr/bin/tcpdump", "-i", "r" + i, "-n", "-v", "-l", "-c", "1",
                "src host " + from.getHostAddress() + " and tcp dst port 179"), log);
        await().atMost(PATIENCE).until(() -> lab.lab.log(log).contains("listening on"));
        return tcpdump;
    }

    static String packet(Process tcpdump, InteropLab lab, int i) throws InterruptedException {
        assertThat(tcpdump.waitFor(PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).as("tcpdump saw a packet").isTrue();
        return lab.lab.log("tcpdump-" + i + ".out");
    }
}
