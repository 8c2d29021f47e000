package io.ledgerlb.speaker.members;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Speakers' membership over real UDP on loopback. */
class MembershipTest {
    static final GossipKeys KEYS = new GossipKeys(List.of(GossipKeys.sha256("membership test key".getBytes(StandardCharsets.UTF_8))));
    final List<Membership> started = new ArrayList<>();

    Membership start(String name, int port, int seedPort) throws Exception {
        return start(name, port, seedPort, KEYS);
    }

    Membership start(String name, int port, int seedPort, GossipKeys keys) throws Exception {
        Membership m = Membership.start(new Membership.Config(name, new InetSocketAddress("127.0.0.1", port),
                List.of(new InetSocketAddress("127.0.0.1", seedPort)), keys), eligible -> { });
        started.add(m);
        return m;
    }

    @AfterEach
    void stop() {
        started.forEach(Membership::close);
    }

    @Test
    void speakersFindEachOtherThroughASeedAndNoticeALossAndALeave() throws Exception {
        int base = freePorts(4);
        Membership a = start("a", base, base);
        Membership b = start("b", base + 1, base);
        Membership c = start("c", base + 2, base);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(a.eligible()).containsExactly("a", "b", "c");
            assertThat(a.alive()).containsExactly("a", "b", "c");
            assertThat(b.alive()).containsExactly("a", "b", "c");
            assertThat(c.alive()).containsExactly("a", "b", "c");
        });

        c.close(); // as if killed: no goodbye
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(a.alive()).containsExactly("a", "b");
            assertThat(b.alive()).containsExactly("a", "b");
        });

        b.leave(Duration.ZERO);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.alive().equals(Set.of("a")));
    }

    @Test
    void garbageDatagramsAreIgnored() throws Exception {
        int base = freePorts(4);
        Membership a = start("a", base, base);
        try (DatagramSocket s = new DatagramSocket()) {
            byte[] junk = {1, 2, 3};
            s.send(new DatagramPacket(junk, junk.length, new InetSocketAddress("127.0.0.1", base)));
            byte[] truncated = GossipCodec.encode(List.of(new MemberState("x",
                    new InetSocketAddress("127.0.0.1", 1), 1, 1, false)));
            s.send(new DatagramPacket(truncated, truncated.length - 3, new InetSocketAddress("127.0.0.1", base)));
        }
        Membership b = start("b", base + 1, base);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.alive().equals(Set.of("a", "b")));
        assertThat(a.alive()).doesNotContain("x");
        assertThat(a.dropped()).containsEntry("unauthenticated", 2L);
    }

    @Test
    void speakersWithoutOurKeyAreNotBelieved() throws Exception {
        int base = freePorts(4);
        Membership a = start("a", base, base);
        Membership b = start("b", base + 1, base);
        GossipKeys other = new GossipKeys(List.of(GossipKeys.sha256("another cluster's key".getBytes(StandardCharsets.UTF_8))));
        Membership x = start("x", base + 2, base, other);
        Membership plain = start("p", base + 3, base, null);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(a.alive()).containsExactly("a", "b");
            assertThat(a.dropped().get("unauthenticated")).as("x's and p's datagrams").isGreaterThanOrEqualTo(20);
        });
        assertThat(b.alive()).containsExactly("a", "b");
        assertThat(x.alive()).containsExactly("x");
        assertThat(plain.alive()).containsExactly("p");
    }

    /**
     * A real stall: speaker b runs in its own JVM, which we freeze (SIGSTOP) for three times the
     * default failure timeout (as a full GC of 1.5 s would) while a and c keep going. No IP may
     * move: b's host vouches for it, so a and c keep it alive (and eligible) throughout, and b on
     * waking does not declare a and c dead (b's view stays [a, b, c]). Then b is killed
     * (SIGKILL): with no process left to vouch for it, a and c declare it dead.
     */
    @Test
    void aStalledSpeakerMovesNoIpsAndAKilledOneIsDeclaredDead(@TempDir Path dir) throws Exception {
        int base = freePorts(4);
        Duration failAfter = Membership.Config.DEFAULT_FAIL_AFTER;
        Membership a = startWith("a", base, base, failAfter);
        Membership c = startWith("c", base + 2, base, failAfter);
        Path out = dir.resolve("b.out");
        Process b = membershipNode(dir, "b", base + 1, base, failAfter);
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(Files.readString(out)).contains("alive [a, b, c]").contains("eligible [a, b, c]");
                assertThat(a.eligible()).containsExactly("a", "b", "c");
                assertThat(c.eligible()).containsExactly("a", "b", "c");
            });
            String pid = String.valueOf(b.pid());
            int before = Files.readString(out).length();
            List<Set<String>> owners = new ArrayList<>();
            assertThat(new ProcessBuilder("kill", "-STOP", pid).start().waitFor()).isZero();
            long until = System.nanoTime() + 3 * failAfter.toNanos();
            while (System.nanoTime() < until) {
                owners.add(a.eligible());
                owners.add(c.eligible());
                Thread.sleep(10);
            }
            assertThat(new ProcessBuilder("kill", "-CONT", pid).start().waitFor()).isZero();
            Thread.sleep(2 * failAfter.toMillis());
            owners.add(a.eligible());

            assertThat(owners).as("a's and c's owners while b stood still").allMatch(e -> e.equals(Set.of("a", "b", "c")));
            String after = Files.readString(out).substring(before);
            assertThat(after.lines().filter(l -> l.startsWith("alive ") || l.startsWith("eligible ")))
                    .as("b's view after waking").allMatch(l -> l.endsWith(" [a, b, c]"));
            assertThat(b.isAlive()).isTrue();

            b.destroyForcibly().waitFor();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(a.alive()).containsExactly("a", "c"));
        } finally {
            b.destroyForcibly().waitFor();
        }
    }

    /**
     * The start-up flap of the 50,000-Service bench (a peer dead, then alive 8 ms later, each time
     * just before this speaker logged a stall of its own of 1–3 s): a GC pause landed in the middle
     * of a round, after the peers' silence was measured and before the expiry asked whether their
     * hosts vouched for them. The vouch was then judged on the clock after the pause, older than its
     * freshness, and a stalled peer vouched for a moment before was declared dead; its heartbeats,
     * waiting in the socket, brought it back at once. Here the round stalls there for real (its
     * thread held for three failure timeouts) while b, in a JVM of its own, stands still (SIGSTOP).
     */
    @Test
    void aStallOfOurOwnInTheMiddleOfARoundDeclaresNoVouchedPeerDead(@TempDir Path dir) throws Exception {
        int base = freePorts(4);
        Duration failAfter = Membership.Config.DEFAULT_FAIL_AFTER;
        List<Set<String>> eligibleSeen = new java.util.concurrent.CopyOnWriteArrayList<>();
        Membership a = startWith("a", base, base, failAfter, eligibleSeen::add);
        Process b = membershipNode(dir, "b", base + 1, base, failAfter);
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(a.eligible()).containsExactly("a", "b");
                assertThat(Files.readString(dir.resolve("b.out"))).contains("alive [a, b]");
            });
            eligibleSeen.clear();
            List<Set<String>> aliveSeen = new java.util.concurrent.CopyOnWriteArrayList<>();
            String pid = String.valueOf(b.pid());
            assertThat(new ProcessBuilder("kill", "-STOP", pid).start().waitFor()).isZero();
            Thread.sleep(2 * failAfter.toMillis()); // b silent past the timeout, its host vouching for it
            java.util.concurrent.CountDownLatch stalled = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
            a.beforeExpiry(() -> {
                if (once.compareAndSet(false, true)) {
                    aliveSeen.add(a.alive());
                    try {
                        Thread.sleep(3 * failAfter.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    stalled.countDown();
                }
            });
            assertThat(stalled.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            long until = System.nanoTime() + failAfter.toNanos();
            while (System.nanoTime() < until) {
                aliveSeen.add(a.alive());
                Thread.sleep(5);
            }
            assertThat(new ProcessBuilder("kill", "-CONT", pid).start().waitFor()).isZero();
            Thread.sleep(2 * failAfter.toMillis());
            aliveSeen.add(a.alive());

            assertThat(aliveSeen).as("a's live set through its own stall in the middle of a round")
                    .allMatch(alive -> alive.equals(Set.of("a", "b")));
            assertThat(eligibleSeen).as("a's owners meanwhile: none changed").isEmpty();
        } finally {
            b.destroyForcibly().waitFor();
        }
    }

    /** {@link MembershipNode} in a JVM of its own, its output in {@code dir/<name>.out}. */
    static Process membershipNode(Path dir, String name, int port, int seedPort, Duration failAfter) throws IOException {
        Path keyFile = dir.resolve("key");
        Files.writeString(keyFile, "membership test key, as a file of at least 32 characters\n");
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return new ProcessBuilder(java, "-Xmx64m", "-XX:+UseSerialGC", "-cp", cp, MembershipNode.class.getName(),
                name, String.valueOf(port), String.valueOf(seedPort), keyFile.toString(), String.valueOf(failAfter.toMillis()))
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile()).start();
    }

    /**
     * The first of {@code count} consecutive ports free on 127.0.0.1 for both UDP (heartbeats)
     * and TCP (the host's vouch), below the ephemeral range so that no outgoing connection takes
     * one meanwhile.
     */
    static int freePorts(int count) {
        int start = 20000 + ThreadLocalRandom.current().nextInt(12000);
        for (int base = start; base < 32700; base++) {
            if (IntStream.range(base, base + count).allMatch(MembershipTest::free)) {
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports from " + start);
    }

    private static boolean free(int port) {
        try (ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
             DatagramSocket udp = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    Membership startWith(String name, int port, int seedPort, Duration failAfter) throws Exception {
        return startWith(name, port, seedPort, failAfter, e -> { });
    }

    Membership startWith(String name, int port, int seedPort, Duration failAfter, Membership.Listener listener) throws Exception {
        Membership m = Membership.start(new Membership.Config(name, new InetSocketAddress("127.0.0.1", port),
                List.of(new InetSocketAddress("127.0.0.1", seedPort)), Membership.Config.DEFAULT_INTERVAL, failAfter,
                Membership.Config.DEFAULT_JOIN_DELAY, MembershipNode.keys(), Membership.Config.DEFAULT_MAX_CLOCK_SKEW), listener);
        started.add(m);
        return m;
    }
}
