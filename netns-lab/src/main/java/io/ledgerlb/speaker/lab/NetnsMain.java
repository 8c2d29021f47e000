package io.ledgerlb.speaker.lab;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Runs the speaker ({@code io.ledgerlb.speaker.SpeakerMain}) inside a node's network namespace
 * (started with {@code ip netns exec}) after opening relays for the given ports:
 * {@code NetnsMain <relay-dir> <port,port,...> -- <speaker args>}. The speaker is called by name:
 * the lab is a test dependency of the speaker, so it cannot depend on it; the class path given to
 * {@code java} (the speaker's tests, the benchmarks jar) has both.
 */
public final class NetnsMain {
    static final String SPEAKER_MAIN = "io.ledgerlb.speaker.SpeakerMain";

    private NetnsMain() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        for (String port : args[1].split(",")) {
            int p = Integer.parseInt(port);
            Relay.tcpToUnix(p, dir.resolve(p + ".sock"));
        }
        Class.forName(SPEAKER_MAIN).getMethod("main", String[].class)
                .invoke(null, (Object) Arrays.copyOfRange(args, 3, args.length));
    }
}
