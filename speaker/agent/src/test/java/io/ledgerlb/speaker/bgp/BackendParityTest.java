package io.ledgerlb.speaker.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ledgerlb.gobgp.lab.BgpLab;
import io.ledgerlb.gobgp.lab.BirdRoutes;
import io.ledgerlb.gobgp.lab.Commands;
import io.ledgerlb.net.Community;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.net.LargeCommunity;
import io.ledgerlb.speaker.bgp.gobgp.GoBgpBackend;
import io.ledgerlb.speaker.bgp.gobgp.GoBgpSettings;
import io.ledgerlb.speaker.bgp.nativ.BirdRouter;
import io.ledgerlb.speaker.bgp.nativ.NativeBgpBackend;
import io.ledgerlb.speaker.bgp.nativ.NetnsLab;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The same speaker scenario played once by the native speaker and once through gobgpd 3.10: BIRD 2
 * (eBGP, no MD5) must end up with the same routes. Next hops differ by design (each speaker's own
 * address toward BIRD), so each run checks its own and the comparison leaves them out.
 */
class BackendParityTest {
    private static final long SPEAKER_AS = 64512;
    private static final long ROUTER_AS = 65001;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String WITHDRAWN = "192.0.2.72/32";
    private static final List<Advertisement> SCENARIO = List.of(
            new Advertisement(IpPrefix.parse("192.0.2.71/32"), null, List.of(new Community((int) SPEAKER_AS, 71), new Community(65000, 1)),
                    List.of(new LargeCommunity(SPEAKER_AS, 7, 1))),
            new Advertisement(IpPrefix.parse(WITHDRAWN), null, List.of(), List.of()),
            new Advertisement(IpPrefix.parse("192.0.2.73/32"), null, List.of(new Community((int) SPEAKER_AS, 73)), List.of()),
            new Advertisement(IpPrefix.parse("2001:db8::71/128"), null, List.of(new Community((int) SPEAKER_AS, 71)), List.of()));

    private NetnsLab nativeLab;
    private BirdRouter nativeBird;
    private NativeBgpBackend nativeBackend;
    private BgpLab gobgpLab;
    private GoBgpBackend gobgpBackend;

    /** One speaker under test: its session to BIRD, how to read BIRD's routes, and the next hops BIRD must see. */
    private record Speaker(BgpSession session, Supplier<String> birdRoutes, InetAddress ownV4, InetAddress ownV6) {
        InetAddress nextHop(String prefix) {
            return prefix.contains(":") ? ownV6 : ownV4;
        }
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (nativeBackend != null) {
            nativeBackend.close();
        }
        if (nativeBird != null) {
            nativeBird.close();
        }
        if (nativeLab != null) {
            nativeLab.close();
        }
        if (gobgpBackend != null) {
            gobgpBackend.close();
        }
        if (gobgpLab != null) {
            gobgpLab.close();
        }
    }

    @Test
    void nativeAndGobgpModesGiveBirdTheSameRoutes() throws Exception {
        NetnsLab.assumeAvailable(BirdRouter.BIRD, BirdRouter.BIRDC, "/usr/sbin/ip");
        Commands.requireLabTools();

        List<Map<String, Map<String, String>>> nativeRoutes = play(nativeSpeaker());
        List<Map<String, Map<String, String>>> gobgpRoutes = play(gobgpSpeaker());

        Map<String, String> tagged = nativeRoutes.get(0).get("192.0.2.71/32");
        assertThat(tagged).containsEntry("BGP.origin", "IGP").containsEntry("BGP.as_path", Long.toString(SPEAKER_AS))
                .containsEntry("BGP.community", "(64512,71) (65000,1)")
                .containsEntry("BGP.large_community", "(64512, 7, 1)");
        assertThat(gobgpRoutes).as("BIRD's routes, GoBGP mode vs native mode").isEqualTo(nativeRoutes);
    }

    /** Announces the scenario, then withdraws one prefix; BIRD's routes (next hop checked and left out) after each step. */
    private static List<Map<String, Map<String, String>>> play(Speaker speaker) {
        speaker.session().set(SCENARIO);
        await().atMost(WAIT).until(() -> speaker.session().state() == SessionState.ESTABLISHED);
        Map<String, Map<String, String>> announced = awaitPrefixes(speaker, prefixes(SCENARIO));

        List<Advertisement> fewer = SCENARIO.stream().filter(a -> !a.prefix().equals(IpPrefix.parse(WITHDRAWN))).toList();
        speaker.session().set(fewer);
        Map<String, Map<String, String>> afterWithdrawal = awaitPrefixes(speaker, prefixes(fewer));
        return List.of(announced, afterWithdrawal);
    }

    private static Set<String> prefixes(List<Advertisement> ads) {
        return ads.stream().map(a -> a.prefix().toString()).collect(Collectors.toSet());
    }

    /** Waits until BIRD holds exactly these prefixes, each with the speaker's address as (first) next hop. */
    private static Map<String, Map<String, String>> awaitPrefixes(Speaker speaker, Set<String> expected) {
        await().atMost(WAIT).untilAsserted(() -> {
            Map<String, Map<String, String>> routes = routesAtBird(speaker);
            assertThat(routes.keySet()).isEqualTo(expected);
            routes.forEach((prefix, attributes) -> assertThat(firstNextHop(attributes)).as(prefix).isEqualTo(speaker.nextHop(prefix)));
        });
        Map<String, Map<String, String>> comparable = new TreeMap<>();
        routesAtBird(speaker).forEach((prefix, attributes) -> {
            Map<String, String> rest = new LinkedHashMap<>(attributes);
            rest.remove("BGP.next_hop");
            rest.remove("via"); // the gateway, also the speaker's own address
            comparable.put(prefix, new TreeMap<>(rest));
        });
        return comparable;
    }

    /** BIRD's routes from the speaker, keyed by prefix as {@link IpPrefix} prints it. */
    private static Map<String, Map<String, String>> routesAtBird(Speaker speaker) {
        Map<String, Map<String, String>> routes = new TreeMap<>();
        BirdRoutes.parse(speaker.birdRoutes().get()).forEach((prefix, attributes) -> routes.put(IpPrefix.parse(prefix).toString(), attributes));
        return routes;
    }

    /** BIRD prints an IPv6 next hop as the global address, possibly followed by a link-local one. */
    private static InetAddress firstNextHop(Map<String, String> attributes) {
        try {
            return InetAddress.getByName(attributes.getOrDefault("BGP.next_hop", "0.0.0.0").split(" ")[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Speaker nativeSpeaker() throws IOException {
        nativeLab = new NetnsLab();
        nativeBird = new BirdRouter(nativeLab, ROUTER_AS, SPEAKER_AS, true, 9, "");
        nativeBackend = new NativeBgpBackend(new SimpleMeterRegistry());
        BgpSession session = nativeBackend.open(new BgpPeerConfig("bird", SPEAKER_AS, ROUTER_AS, nativeLab.routerV4, 179,
                Optional.of(nativeLab.hostV4), Duration.ofSeconds(9), Duration.ZERO, Duration.ofSeconds(1), nativeLab.hostV4,
                false, false, Optional.empty()), SessionListener.NONE);
        return new Speaker(session, () -> {
            try {
                return nativeBird.cli("show route all protocol speaker");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, nativeLab.hostV4, nativeLab.hostV6);
    }

    private Speaker gobgpSpeaker() throws IOException {
        gobgpLab = BgpLab.create();
        gobgpLab.startGobgpd();
        // the same eBGP session as BirdRouter's, named alike so that nothing but the speaker differs
        gobgpLab.startBird("protocol bgp speaker {\n  local " + gobgpLab.birdV4.getHostAddress() + " as " + ROUTER_AS
                + "; neighbor " + gobgpLab.gobgpV4.getHostAddress() + " as " + SPEAKER_AS + ";\n"
                + "  hold time 9; connect retry time 1; error wait time 1, 2; connect delay time 1;\n"
                + "  ipv4 { import all; export none; };\n  ipv6 { import all; export none; };\n}\n");
        // gobgpd also listens (its own namespace), so BIRD's connect brings the session up without
        // gobgpd 3.10's 5-10 s wait before its own first connect; the routes are what is compared
        gobgpBackend = new GoBgpBackend(GoBgpSettings.at(gobgpLab.gobgpTarget()).withNextHops(Optional.empty(), Optional.of(gobgpLab.gobgpV6))
                .inOtherNamespace().listeningOn(179, List.of()));
        BgpSession session = gobgpBackend.open(new BgpPeerConfig("bird", SPEAKER_AS, ROUTER_AS, gobgpLab.birdV4, 179,
                Optional.empty(), Duration.ofSeconds(9), Duration.ofSeconds(3), Duration.ofSeconds(1), gobgpLab.gobgpV4,
                false, false, Optional.empty()), SessionListener.NONE);
        return new Speaker(session, () -> gobgpLab.birdc("show", "route", "all", "protocol", "speaker"), gobgpLab.gobgpV4, gobgpLab.gobgpV6);
    }
}
