package io.ledgerlb.speaker.bgp.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpBackend;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.BgpSession;
import io.ledgerlb.speaker.bgp.SessionListener;
import io.ledgerlb.speaker.bgp.SessionState;
import io.ledgerlb.speaker.bgp.gobgp.GoBgpBackend;
import io.ledgerlb.speaker.bgp.nativ.NetnsLab;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * GTSM (RFC 5082) in both backends against FRR's {@code ttl-security hops 1}, on single-hop
 * eBGP (which would otherwise send TTL 1). Speaker 1 over IPv4 and IPv6: FRR has ttl-security for
 * it, the sessions come up, the route arrives and our packets leave with TTL 255. Speaker 2 over
 * IPv4: FRR sends TTL 1 (no ttl-security for it), which our socket's IP_MINTTL 255 drops (native:
 * ours; GoBGP: gobgpd's ttl-security with ttl-min 255), so the session never comes up (native: it
 * stays in OpenSent, FRR's OPEN never arrives; RFC 4271's OpenSent hold timer of 4 minutes then
 * ends the attempt); once FRR sends 255 it comes up.
 */
class GtsmInteropTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final IpPrefix SERVICE = IpPrefix.parse("192.0.2.202/32");
    private static final IpPrefix SERVICE_V6 = IpPrefix.parse("2001:db8::ca/128");

    @ParameterizedTest(name = "{0} speakers")
    @EnumSource(Speakers.Backend.class)
    void gtsmSessionsComeUpOnlyWithARouterSendingTtl255(Speakers.Backend kind) throws Exception {
        NetnsLab.assumeAvailable("/usr/sbin/ip", "/usr/bin/tcpdump", FrrRouter.BGPD, "/usr/bin/gobgpd");
        try (InteropLab lab = new InteropLab();
             Speakers speakers = new Speakers(kind, lab);
             FrrRouter router = new FrrRouter(lab)) {
            InetAddress v4 = lab.speaker(1, SessionKind.EBGP_4OCTET_IPV4);
            InetAddress v6 = lab.speaker(1, SessionKind.EBGP_4OCTET_IPV6);
            InetAddress late = lab.speaker(2, SessionKind.EBGP_4OCTET_IPV4);
            router.configureBgp(" neighbor " + v4.getHostAddress() + " ttl-security hops 1",
                    " neighbor " + v6.getHostAddress() + " ttl-security hops 1");
            Process ttl255 = NativeMd5TtlInteropTest.capture(lab, 1, v4);

            open(speakers.speaker(1), lab, 1, SessionKind.EBGP_4OCTET_IPV4);
            open(speakers.speaker(1), lab, 1, SessionKind.EBGP_4OCTET_IPV6);
            BgpSession dropped = open(speakers.speaker(2), lab, 2, SessionKind.EBGP_4OCTET_IPV4);

            await().atMost(PATIENCE).untilAsserted(() -> {
                assertThat(router.established(v4)).isTrue();
                assertThat(router.established(v6)).isTrue();
                // each family over its own session (gobgpd sends no IPv4 prefix over IPv6 while an IPv4 session has it)
                assertThat(router.paths(SERVICE)).extracting(RouterPath::from).contains(v4);
                assertThat(router.paths(SERVICE_V6)).extracting(RouterPath::from).contains(v6);
            });
            // the TCP connection comes up (FRR's listener answers with TTL 255), FRR's OPEN (TTL 1) never arrives;
            // speaker 1's sessions took well under a second from connect to Established
            if (kind == Speakers.Backend.NATIVE) {
                await().atMost(PATIENCE).until(() -> dropped.state() == SessionState.OPEN_SENT);
            }
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() ->
                    dropped.state() != SessionState.ESTABLISHED && !router.established(late));
            assertThat(router.paths(SERVICE)).extracting(RouterPath::from).doesNotContain(late);
            assertThat(NativeMd5TtlInteropTest.packet(ttl255, lab, 1)).as("single-hop eBGP, sent with TTL 255").contains("ttl 255,");

            router.configureBgp(" neighbor " + late.getHostAddress() + " ttl-security hops 1");
            dropped.close(); // the attempt stuck in OpenSent would wait out its 4-minute timer
            if (speakers.speaker(2) instanceof GoBgpBackend gobgp) {
                gobgp.bridge().reconcile().get(30, TimeUnit.SECONDS); // gobgpd deletes the neighbor before it is added again
            }
            open(speakers.speaker(2), lab, 2, SessionKind.EBGP_4OCTET_IPV4);
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(router.paths(SERVICE)).extracting(RouterPath::from)
                    .contains(late));
        }
    }

    private static BgpSession open(BgpBackend backend, InteropLab lab, int speaker, SessionKind kind) {
        BgpPeerConfig plain = lab.peer(speaker, kind);
        BgpPeerConfig gtsm = new BgpPeerConfig(plain.name(), plain.myAsn(), plain.peerAsn(), plain.peerAddress(),
                plain.peerPort(), plain.sourceAddress(), plain.holdTime(), plain.keepaliveTime(), plain.connectTime(),
                plain.routerId(), false, false, plain.password(), 1);
        BgpSession session = backend.open(gtsm, SessionListener.NONE);
        session.set(List.of(Advertisement.of(SERVICE), Advertisement.of(SERVICE_V6)));
        return session;
    }
}
