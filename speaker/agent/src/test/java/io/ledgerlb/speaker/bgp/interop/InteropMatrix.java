package io.ledgerlb.speaker.bgp.interop;

import io.ledgerlb.net.Community;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.net.LargeCommunity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpSession;
import io.ledgerlb.speaker.bgp.SessionListener;
import io.ledgerlb.speaker.bgp.interop.Speakers.Backend;
import io.ledgerlb.speaker.bgp.nativ.NetnsLab;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The interop matrix for one router: three speakers of each backend announce an IPv4 and an
 * IPv6 Service IP over sessions of each {@link SessionKind}, and the router must hold each
 * prefix with three paths (ECMP, one per speaker) carrying the right ORIGIN, AS_PATH, LOCAL_PREF
 * (iBGP), communities and large communities, usable next hops (installed where the router has a
 * forwarding table), and withdraw a path when its Service goes and when its speaker goes.
 * One lab and one router serve every cell; the router's configuration holds the neighbors of all
 * of them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class InteropMatrix {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    protected InteropLab lab;
    protected Router router;
    private final Map<Backend, Speakers> speakers = new EnumMap<>(Backend.class);

    protected Speakers speakers(Backend backend) {
        return speakers.get(backend);
    }

    /** Starts the router under test in the lab. */
    protected abstract Router startRouter(InteropLab lab) throws IOException;

    /** Binaries the router needs besides ip. */
    protected abstract String[] routerBinaries();

    @BeforeAll
    void startLab() throws IOException {
        List<String> needed = new ArrayList<>(List.of(routerBinaries()));
        needed.addAll(List.of("/usr/sbin/ip", "/usr/bin/gobgpd"));
        NetnsLab.assumeAvailable(needed.toArray(String[]::new));
        lab = new InteropLab();
        router = startRouter(lab);
        for (Backend backend : Backend.values()) {
            speakers.put(backend, new Speakers(backend, lab, true));
        }
    }

    @AfterAll
    void stopLab() {
        speakers.values().forEach(Speakers::close);
        if (router != null) {
            router.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    /**
     * The cells this router covers in CI (all by default). A cell takes ~1 s where the router
     * connects to gobgpd (it listens here, see {@link Speakers}), ~10 s where gobgpd must connect
     * (gobgpd as the router: both sides wait 5–10 s before their first connect). {@code -Dinterop.cells=all} runs every
     * cell, {@code -Dinterop.cells=GOBGP/IBGP_IPV4,...} only those.
     */
    protected boolean coveredInCi(Backend backend, SessionKind kind) {
        return true;
    }

    Stream<Arguments> cells() {
        String only = System.getProperty("interop.cells", "");
        return Stream.of(Backend.values()).flatMap(b -> Stream.of(SessionKind.values()).map(k -> Arguments.of(b, k)))
                .filter(a -> only.isEmpty() ? coveredInCi((Backend) a.get()[0], (SessionKind) a.get()[1])
                        : only.equals("all") || only.contains(a.get()[0] + "/" + a.get()[1]));
    }

    /**
     * Whether this router's sessions of this kind carry both families ({@code dualStackAddressFamily:
     * true}, every kind by default); false: only their own, and the router must not get the other.
     */
    protected boolean dualStack(SessionKind kind) {
        return true;
    }

    @ParameterizedTest(name = "{0} speakers, {1}")
    @MethodSource("cells")
    void threeSpeakersAnnounceAndWithdraw(Backend backend, SessionKind kind) {
        int cell = backend.ordinal() * SessionKind.values().length + kind.ordinal() + 1;
        long as = kind.speakerAs();
        // IPv4 with the default LOCAL_PREF, IPv6 with one set: both must reach an internal router
        Advertisement v4 = new Advertisement(IpPrefix.parse("192.0.2." + (10 + cell) + "/32"), null,
                List.of(new Community(64500, cell), new Community(65000, 1)), List.of(new LargeCommunity(as, 7, cell)));
        Advertisement v6 = new Advertisement(IpPrefix.parse("2001:db8::" + Integer.toHexString(10 + cell) + "/128"), 250L,
                List.of(new Community(64500, cell)), List.of(new LargeCommunity(as, 6, cell)));
        Advertisement own = kind.ipv6() ? v6 : v4;
        Advertisement other = kind.ipv6() ? v4 : v6;
        boolean dualStack = dualStack(kind);

        List<BgpSession> sessions = new ArrayList<>();
        long start = System.nanoTime();
        try {
            for (int i = 1; i <= InteropLab.SPEAKERS; i++) {
                BgpSession session = speakers.get(backend).speaker(i)
                        .open(lab.peer(i, kind).withDualStackAddressFamily(dualStack), SessionListener.NONE);
                sessions.add(session);
                session.set(List.of(v4, v6));
            }
            awaitPaths(own, kind, Set.of(1, 2, 3));
            awaitPaths(other, kind, dualStack ? Set.of(1, 2, 3) : Set.of());
            stage(start, dualStack ? "three paths of both prefixes" : "three paths of its own family's prefix only", backend, kind);

            // the other family's Service goes
            sessions.forEach(s -> s.set(List.of(own)));
            awaitPaths(other, kind, Set.of());
            awaitPaths(own, kind, Set.of(1, 2, 3));
            stage(start, "other family's Service withdrawn", backend, kind);

            // speaker 3 goes
            sessions.remove(2).close();
            awaitPaths(own, kind, Set.of(1, 2));
            stage(start, "speaker 3's path withdrawn", backend, kind);
        } finally {
            sessions.forEach(BgpSession::close);
        }
        awaitPaths(own, kind, Set.of());
    }

    /** For the reader of the test output (never asserted: timings belong to bench/). */
    private void stage(long start, String what, Backend backend, SessionKind kind) {
        System.out.printf("%s %s %s: %s after %d ms%n", router.name(), backend, kind, what, (System.nanoTime() - start) / 1_000_000);
    }

    /** Waits until the router holds exactly the paths of these speakers for the advertisement, each right in every attribute. */
    protected void awaitPaths(Advertisement ad, SessionKind kind, Set<Integer> from) {
        IpPrefix prefix = ad.prefix();
        Set<InetAddress> neighbors = from.stream().map(i -> lab.speaker(i, kind)).collect(Collectors.toSet());
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            List<RouterPath> paths = router.paths(prefix);
            assertThat(paths).as("%s paths of %s", router.name(), prefix).extracting(RouterPath::from)
                    .containsExactlyInAnyOrderElementsOf(neighbors);
            for (RouterPath path : paths) {
                int speaker = IntStream.rangeClosed(1, InteropLab.SPEAKERS).filter(i -> lab.speaker(i, kind).equals(path.from()))
                        .findFirst().orElseThrow();
                assertThat(path.origin()).as("ORIGIN").isEqualTo("IGP");
                assertThat(path.asPath()).as("AS_PATH").isEqualTo(kind.ibgp() ? "" : Long.toString(kind.speakerAs()));
                if (kind.ibgp()) {
                    assertThat(path.localPref()).as("LOCAL_PREF").isEqualTo(ad.ibgpLocalPref());
                } else {
                    assertThat(Optional.ofNullable(path.localPref())).as("LOCAL_PREF is not for eBGP").isNotEqualTo(Optional.of(250L));
                }
                assertThat(path.communities()).as("communities").containsExactlyElementsOf(
                        ad.communities().stream().map(Community::toString).toList());
                assertThat(path.largeCommunities()).as("large communities").containsExactlyElementsOf(
                        ad.largeCommunities().stream().map(LargeCommunity::toString).toList());
                assertThat(path.nextHop()).as("next hop of speaker %d", speaker).isIn(addressesOf(speaker, prefix.ipv6()));
            }
            assertThat(router.usableNextHops(prefix)).as("%s next hops installed for %s", router.name(), prefix)
                    .isEqualTo(paths.stream().map(RouterPath::nextHop).collect(Collectors.toSet()));
        });
    }

    /** Speaker {@code i}'s addresses of a family: any of them is a right next hop (the one on the session's own interface). */
    private Set<InetAddress> addressesOf(int i, boolean ipv6) {
        return Stream.of(SessionKind.values()).filter(k -> k.ipv6() == ipv6).map(k -> lab.speaker(i, k)).collect(Collectors.toSet());
    }
}
