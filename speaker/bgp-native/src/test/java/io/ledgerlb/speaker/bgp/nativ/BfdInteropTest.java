package io.ledgerlb.speaker.bgp.nativ;

import io.ledgerlb.net.IpPrefix;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.BgpSession;
import io.ledgerlb.speaker.bgp.SessionListener;
import io.ledgerlb.speaker.bgp.SessionState;
import io.ledgerlb.speaker.bgp.bfd.BfdDiscard;
import io.ledgerlb.speaker.bgp.bfd.BfdPeer;
import io.ledgerlb.speaker.bgp.bfd.BfdSettings;
import io.ledgerlb.speaker.bgp.bfd.BfdState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The native speaker's BFD against BIRD 2's and FRR's bfdd, in a network namespace: the BFD
 * session comes Up on both sides; then the router's namespace drops every packet (nftables, no
 * FIN, no link change), and the router must have withdrawn the speaker's path within a few
 * detection times, long before the 30 s hold timer. Bad packets sent to the speaker's BFD port
 * are discarded and counted.
 */
class BfdInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int HOLD_SECONDS = 30;
    /** 300 ms × 3 detects in 0.9 s; allow for the router's reaction and the poll of its CLI. */
    private static final Duration WITHDRAWN_WITHIN = Duration.ofSeconds(3);
    private static final String PREFIX = "192.0.2.70/32";
    static final String BFDD = "/usr/lib/frr/bfdd";

    private NetnsLab lab;
    private NativeBgpBackend backend;
    private SimpleMeterRegistry registry;
    private BirdRouter bird;
    private FrrBfdRouter frr;

    @BeforeEach
    void lab() throws Exception {
        registry = new SimpleMeterRegistry();
        backend = new NativeBgpBackend(registry);
    }

    @AfterEach
    void cleanUp() throws Exception {
        backend.close();
        if (bird != null) {
            bird.close();
        }
        if (frr != null) {
            frr.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    private BgpPeerConfig peer() {
        return new BgpPeerConfig("router", 65000, 65001, lab.routerV4, 179, Optional.of(lab.hostV4),
                Duration.ofSeconds(HOLD_SECONDS), Duration.ZERO, Duration.ofSeconds(1), lab.hostV4, false, false, Optional.empty());
    }

    private BfdPeer bfdPeer() {
        return new BfdPeer(lab.routerV4, false, 254, new BfdSettings(Duration.ofMillis(300), Duration.ofMillis(300), 3, false));
    }

    @Test
    void birdWithdrawsThePathWhenTheLinkGoesSilent() throws Exception {
        NetnsLab.assumeAvailable(BirdRouter.BIRD, BirdRouter.BIRDC, NetnsLab.NFT, "/usr/sbin/ip");
        lab = new NetnsLab();
        bird = bird("", "interface \"*\"");
        BfdWatchedSession session = open();
        await().atMost(WAIT).untilAsserted(() -> assertThat(bird.cli("show bfd sessions")).contains("Up"));
        withdrawnOnSilence("BIRD", session, () -> !bird.route(PREFIX).isEmpty());
        assertThat(registry.find("ledgerlb_bfd_discarded").counters()).allMatch(c -> c.count() == 0);
    }

    @Test
    void multihopBfdWithBirdForAnEbgpMultihopPeer() throws Exception {
        NetnsLab.assumeAvailable(BirdRouter.BIRD, BirdRouter.BIRDC, NetnsLab.NFT, "/usr/sbin/ip");
        lab = new NetnsLab();
        bird = bird("multihop;", "multihop");
        // BIRD sends multihop BFD with TTL 64 (RFC 5883 leaves it open): MetalLB's default minimumTtl
        // of 254 would discard every packet (BAD_TTL), as GTSM should; 64 takes them
        BfdPeer multihop = new BfdPeer(lab.routerV4, true, 64, bfdPeer().settings());
        BfdWatchedSession session = open(multihop);
        await().atMost(WAIT).untilAsserted(() -> assertThat(bird.cli("show bfd sessions")).contains("Up"));
        withdrawnOnSilence("BIRD (multihop)", session, () -> !bird.route(PREFIX).isEmpty());
        assertThat(backendCount(BfdDiscard.BAD_TTL)).isZero();
    }

    @Test
    void frrWithdrawsThePathWhenTheLinkGoesSilent() throws Exception {
        NetnsLab.assumeAvailable(FrrBfdRouter.ZEBRA, FrrBfdRouter.BGPD, BFDD, FrrBfdRouter.VTYSH, NetnsLab.NFT, "/usr/sbin/ip");
        lab = new NetnsLab();
        frr = new FrrBfdRouter(lab, 65001, 65000, HOLD_SECONDS);
        BfdWatchedSession session = open();
        await().atMost(WAIT).untilAsserted(() -> assertThat(frr.vtysh("show bfd peers brief")).contains("up"));
        withdrawnOnSilence("FRR", session, () -> frr.hasPath(PREFIX));
    }

    /**
     * With the path at the router and BFD Up: silence, the path must go within {@link #WITHDRAWN_WITHIN}
     * and our BGP session with it; then the link comes back, and so do BFD and the path.
     */
    private void withdrawnOnSilence(String router, BfdWatchedSession session, Callable<Boolean> routerHasPath) throws Exception {
        await().atMost(WAIT).until(routerHasPath);
        assertThat(session.bfdState()).isEqualTo(BfdState.UP);
        assertThat(registry.get("ledgerlb_bfd_session_up").gauge().value()).isEqualTo(1);

        long silentAt = System.nanoTime();
        lab.silence(true);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> !routerHasPath.call());
        Duration withdrawn = Duration.ofNanos(System.nanoTime() - silentAt);
        System.out.println(router + " withdrew the path " + withdrawn.toMillis() + " ms after the link went silent");
        assertThat(withdrawn).isLessThan(WITHDRAWN_WITHIN);
        await().atMost(WITHDRAWN_WITHIN).untilAsserted(() -> assertThat(session.state()).isNotEqualTo(SessionState.ESTABLISHED));
        assertThat(session.bfdState()).isEqualTo(BfdState.DOWN);
        assertThat(registry.get("ledgerlb_bfd_session_up").gauge().value()).isZero();

        lab.silence(false);
        await().atMost(WAIT).until(routerHasPath);
        // FRR starts a new BFD session once its BGP session is up again: Down for a moment, then Up
        await().atMost(WAIT).untilAsserted(() -> assertThat(session.bfdState()).isEqualTo(BfdState.UP));
    }

    @Test
    void badPacketsAreDiscardedAndCounted() throws Exception {
        NetnsLab.assumeAvailable(BirdRouter.BIRD, BirdRouter.BIRDC, "/usr/sbin/ip", "/bin/bash");
        lab = new NetnsLab();
        bird = bird("", "interface \"*\"");
        BfdWatchedSession session = open();
        await().atMost(WAIT).untilAsserted(() -> assertThat(session.bfdState()).isEqualTo(BfdState.UP));
        // sent by bash from the router's namespace: TTL 64, from an ordinary port
        send("\\x20\\x40\\x03\\x30" + "\\x00\\x00\\x00\\x09".repeat(5)); // length 48 in a 24-byte datagram
        send("\\x20\\x44\\x03\\x1c" + "\\x00\\x00\\x00\\x09".repeat(5) + "\\x09\\x04\\x00\\x00"); // auth type 9
        send("\\x20\\x40\\x03\\x18" + "\\x00\\x00\\x00\\x09" + "\\x00\\x00\\x00\\x00" + "\\x00\\x0f\\x42\\x40".repeat(2) + "\\x00\\x00\\x00\\x00"); // a fine Down packet, TTL 64
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(backendCount(BfdDiscard.LENGTH_EXCEEDS_PAYLOAD)).isEqualTo(1);
            assertThat(backendCount(BfdDiscard.UNKNOWN_AUTH_TYPE)).isEqualTo(1);
            assertThat(backendCount(BfdDiscard.BAD_TTL)).as("GTSM: single hop wants TTL 255").isEqualTo(1);
        });
        assertThat(session.bfdState()).as("the Down packet with TTL 64 was not taken for the peer's").isEqualTo(BfdState.UP);
    }

    /** BIRD with {@code bfd on} in its BGP protocol and 300 ms × 3 for the {@code sessions} of its BFD protocol. */
    private BirdRouter bird(String bgpOptions, String sessions) throws IOException {
        return new BirdRouter(lab, 65001, 65000, true, HOLD_SECONDS, bgpOptions + " bfd on;",
                "protocol bfd { " + sessions + " { min rx interval 300 ms; min tx interval 300 ms; multiplier 3; }; }");
    }

    private double backendCount(BfdDiscard reason) {
        return registry.get("ledgerlb_bfd_discarded").tag("reason", reason.name()).counter().count();
    }

    private void send(String bytes) throws IOException {
        lab.inside("/bin/bash", "-c", "printf '" + bytes + "' > /dev/udp/" + lab.hostV4.getHostAddress() + "/" + BfdPeer.SINGLE_HOP_PORT);
    }

    private BfdWatchedSession open() {
        return open(bfdPeer());
    }

    private BfdWatchedSession open(BfdPeer bfdPeer) {
        BfdWatchedSession session = (BfdWatchedSession) backend.open(peer(), SessionListener.NONE, bfdPeer);
        session.set(List.of(new Advertisement(IpPrefix.parse(PREFIX), null, List.of(), List.of())));
        await().atMost(WAIT).untilAsserted(() -> assertThat(session.state()).isEqualTo(SessionState.ESTABLISHED));
        return session;
    }

    /** FRR's zebra, bgpd and bfdd in the lab's namespace, peering with the speaker with {@code neighbor X bfd}. */
    static final class FrrBfdRouter implements AutoCloseable {
        static final String ZEBRA = "/usr/lib/frr/zebra";
        static final String BGPD = "/usr/lib/frr/bgpd";
        static final String VTYSH = "/usr/bin/vtysh";
        private static final List<String> DAEMONS = List.of("zebra", "bfdd", "bgpd");

        private final Path dir;

        FrrBfdRouter(NetnsLab lab, long routerAs, long speakerAs, int holdSeconds) throws IOException {
            dir = lab.dir.resolve("frr");
            Files.createDirectories(dir);
            String speaker = lab.hostV4.getHostAddress();
            Files.writeString(dir.resolve("zebra.conf"), "hostname r\n");
            Files.writeString(dir.resolve("bfdd.conf"), """
                    hostname r
                    bfd
                     profile fast
                      receive-interval 300
                      transmit-interval 300
                      detect-multiplier 3
                    """);
            Files.writeString(dir.resolve("bgpd.conf"), """
                    hostname r
                    router bgp %d
                     bgp router-id %s
                     no bgp ebgp-requires-policy
                     neighbor %s remote-as %d
                     neighbor %s timers %d %d
                     neighbor %s timers connect 1
                     neighbor %s bfd
                     neighbor %s bfd profile fast
                    """.formatted(routerAs, lab.routerV4.getHostAddress(), speaker, speakerAs, speaker, holdSeconds / 3,
                    holdSeconds, speaker, speaker, speaker));
            NetnsLab.run("chmod", "o+x", lab.dir.toString());
            NetnsLab.run("chown", "-R", "frr:frr", dir.toString());
            for (String daemon : DAEMONS) {
                List<String> command = new java.util.ArrayList<>(List.of("/usr/lib/frr/" + daemon, "-d",
                        "-f", dir.resolve(daemon + ".conf").toString(), "-i", dir.resolve(daemon + ".pid").toString(),
                        "-z", dir.resolve("zserv.api").toString(), "--vty_socket", dir.toString(),
                        "--log", "file:" + dir.resolve(daemon + ".log")));
                if (daemon.equals("bfdd")) {
                    command.addAll(List.of("--bfdctl", dir.resolve("bfdd.sock").toString()));
                }
                lab.inside(command.toArray(String[]::new));
            }
        }

        String vtysh(String command) throws IOException {
            return NetnsLab.run(VTYSH, "--vty_socket", dir.toString(), "-c", command);
        }

        boolean hasPath(String prefix) throws IOException {
            return vtysh("show bgp ipv4 unicast " + prefix + " json").contains("\"paths\"");
        }

        @Override
        public void close() {
            for (String daemon : List.of("bgpd", "bfdd", "zebra")) {
                try {
                    Path pid = dir.resolve(daemon + ".pid");
                    if (Files.exists(pid)) {
                        NetnsLab.run("kill", Files.readString(pid).trim());
                    }
                } catch (IOException e) {
                    System.out.println("stopping " + daemon + ": " + e);
                }
            }
        }
    }
}
