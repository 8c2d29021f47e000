package io.ledgerlb.speaker.members;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Three speakers' membership over real UDP on loopback. */
class MembershipTest {
    final List<Membership> started = new ArrayList<>();

    Membership start(String name, int port, int seedPort) throws Exception {
        Membership m = Membership.start(new Membership.Config(name, new InetSocketAddress("127.0.0.1", port),
                List.of(new InetSocketAddress("127.0.0.1", seedPort))), eligible -> { });
        started.add(m);
        return m;
    }

    @AfterEach
    void stop() {
        started.forEach(Membership::close);
    }

    @Test
    void speakersFindEachOtherThroughASeedAndNoticeALossAndALeave() throws Exception {
        int base = 20000 + (int) (ProcessHandle.current().pid() % 20000);
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
        int base = 40000 + (int) (ProcessHandle.current().pid() % 20000);
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
    }
}
