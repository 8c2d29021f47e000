package io.ledgerlb.speaker.bgp.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.BgpSession;
import io.ledgerlb.speaker.bgp.SessionListener;
import io.ledgerlb.speaker.bgp.SessionState;
import io.ledgerlb.speaker.bgp.nativ.NetnsLab;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import io.ledgerlb.speaker.bgp.gobgp.GoBgpBackend;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Three speakers switch their peer (the article's iBGP session) from the native backend to GoBGP
 * at once, as a changed {@code ledgerlb.io/bgp-backend} annotation makes every speaker do, while
 * FRR's table is read in a loop. The router has one neighbor per speaker address, so the new
 * backend's session can only come up once the old one is gone (a second connection from the same
 * address collides with the established one). With graceful restart on the peer
 * ({@code enableGracefulRestart}) the native session ends without a NOTIFICATION, FRR keeps its
 * paths as stale until gobgpd's session brings them again: the prefix never leaves FRR's table.
 * Without it, the paths go for the seconds gobgpd needs to connect (printed). Either way all three
 * GoBGP sessions come up within a minute (gobgpd once waited its 120 s connect-retry after a first
 * failed attempt). GoBGP → native under graceful restart: gobgpd's Cease on deleting a neighbor
 * keeps FRR's paths as stale because both set RFC 8538's N bit; the test deletes every gobgpd
 * neighbor first and requires FRR to still hold the three paths before the native sessions open.
 */
class BackendSwitchInteropTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final IpPrefix SERVICE = IpPrefix.parse("192.0.2.203/32");

    /** Native → GoBGP with and without graceful restart; GoBGP → native with it (without it gobgpd's Cease drops the paths). */
    static Stream<Arguments> switches() {
        return Stream.of(Arguments.of(Speakers.Backend.NATIVE, true), Arguments.of(Speakers.Backend.NATIVE, false),
                Arguments.of(Speakers.Backend.GOBGP, true));
    }

    @ParameterizedTest(name = "from {0}, graceful restart {1}")
    @MethodSource("switches")
    void switchAtFrr(Speakers.Backend from, boolean gracefulRestart) throws Exception {
        NetnsLab.assumeAvailable("/usr/sbin/ip", FrrRouter.BGPD, "/usr/bin/gobgpd");
        Speakers.Backend to = from == Speakers.Backend.NATIVE ? Speakers.Backend.GOBGP : Speakers.Backend.NATIVE;
        try (InteropLab lab = new InteropLab();
             FrrRouter router = new FrrRouter(lab);
             Speakers olds = new Speakers(from, lab);
             Speakers news = new Speakers(to, lab)) {
            List<BgpSession> old = new ArrayList<>();
            for (int i = 1; i <= InteropLab.SPEAKERS; i++) {
                BgpSession session = olds.speaker(i).open(peer(lab, i, gracefulRestart), SessionListener.NONE);
                session.set(List.of(Advertisement.of(SERVICE)));
                old.add(session);
            }
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(router.paths(SERVICE)).hasSize(3));

            List<long[]> samples = new ArrayList<>(); // {ms since the switch, paths}
            AtomicBoolean polling = new AtomicBoolean(true);
            long start = System.nanoTime();
            Thread poller = new Thread(() -> {
                while (polling.get()) {
                    int paths = router.paths(SERVICE).size();
                    synchronized (samples) {
                        samples.add(new long[] {(System.nanoTime() - start) / 1_000_000, paths});
                    }
                }
            });
            poller.start();
            if (gracefulRestart && from == Speakers.Backend.GOBGP) {
                // every gobgpd neighbor deleted before any native session opens: FRR must keep all three
                // paths, stale, though nothing announces them (gobgpd's Cease, under RFC 8538's N bit)
                for (int i = 1; i <= InteropLab.SPEAKERS; i++) {
                    old.get(i - 1).handOver();
                    ((GoBgpBackend) olds.speaker(i)).bridge().reconcile().get(30, TimeUnit.SECONDS);
                }
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(router.established(lab.speaker(1,
                        SessionKind.IBGP_IPV4))).isFalse());
                assertThat(router.paths(SERVICE)).as("FRR's paths after every gobgpd neighbor was deleted").hasSize(3);
                assertThat(router.vtysh("show bgp ipv4 unicast " + SERVICE + " json")).contains("\"stale\"");
            }
            List<BgpSession> next = new ArrayList<>();
            for (int i = 1; i <= InteropLab.SPEAKERS; i++) {
                old.get(i - 1).handOver(); // as BgpSpeaking does on a backend switch
                BgpSession session = news.speaker(i).open(peer(lab, i, gracefulRestart), SessionListener.NONE);
                session.set(List.of(Advertisement.of(SERVICE)));
                next.add(session);
            }
            await().atMost(PATIENCE).untilAsserted(() -> {
                assertThat(next).allSatisfy(s -> assertThat(s.state()).isEqualTo(SessionState.ESTABLISHED));
                assertThat(router.paths(SERVICE)).hasSize(3);
                assertThat(router.vtysh("show bgp ipv4 unicast " + SERVICE + " json")).as("the new backend's paths, none stale")
                        .doesNotContain("\"stale\"");
            });
            long allBack = (System.nanoTime() - start) / 1_000_000;
            polling.set(false);
            poller.join();

            long fewest;
            long emptyMs = 0;
            synchronized (samples) {
                fewest = samples.stream().mapToLong(s -> s[1]).min().orElseThrow();
                for (int k = 1; k < samples.size(); k++) {
                    if (samples.get(k - 1)[1] == 0) {
                        emptyMs += samples.get(k)[0] - samples.get(k - 1)[0];
                    }
                }
                System.out.printf("backend switch %s -> %s at FRR, graceful restart %s: %d reads, fewest paths %d, no path for ~%d ms,"
                        + " three new sessions and paths after %d ms%n", from, to, gracefulRestart, samples.size(), fewest, emptyMs, allBack);
            }
            if (gracefulRestart) {
                assertThat(fewest).as("with graceful restart FRR keeps the three stale paths until the new backend's arrive")
                        .isEqualTo(3);
            }
        }
    }

    private static BgpPeerConfig peer(InteropLab lab, int i, boolean gracefulRestart) {
        BgpPeerConfig p = lab.peer(i, SessionKind.IBGP_IPV4);
        return new BgpPeerConfig(p.name(), p.myAsn(), p.peerAsn(), p.peerAddress(), p.peerPort(), p.sourceAddress(),
                p.holdTime(), p.keepaliveTime(), Duration.ofSeconds(120), p.routerId(), p.ebgpMultihop(), gracefulRestart,
                p.password());
    }
}
