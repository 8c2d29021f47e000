package io.ledgerlb.speaker.members;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * One speaker's membership in a JVM of its own, printing "alive [..]" and "eligible [..]" (the speakers
 * that may own IPs) each time its view changes:
 * {@code MembershipNode <name> <port> <seed port> <key file> <fail after ms>}, on 127.0.0.1.
 */
public final class MembershipNode {
    private MembershipNode() {}

    /** The key of the file {@link MembershipTest} writes, for the members it runs in its own JVM. */
    static GossipKeys keys() {
        return new GossipKeys(List.of(GossipKeys.sha256(
                "membership test key, as a file of at least 32 characters".getBytes(StandardCharsets.UTF_8))));
    }

    public static void main(String[] args) throws Exception {
        Membership m = Membership.start(new Membership.Config(args[0], new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1])),
                List.of(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[2]))), Membership.Config.DEFAULT_INTERVAL,
                Duration.ofMillis(Long.parseLong(args[4])), Membership.Config.DEFAULT_JOIN_DELAY,
                GossipKeys.read(Path.of(args[3])), Membership.Config.DEFAULT_MAX_CLOCK_SKEW), e -> { });
        Set<String> seen = Set.of();
        Set<String> seenEligible = Set.of();
        while (true) {
            Set<String> alive = m.alive();
            if (!alive.equals(seen)) {
                System.out.println("alive " + alive);
                System.out.flush();
                seen = alive;
            }
            Set<String> eligible = m.eligible();
            if (!eligible.equals(seenEligible)) {
                System.out.println("eligible " + eligible);
                System.out.flush();
                seenEligible = eligible;
            }
            Thread.sleep(10);
        }
    }
}
