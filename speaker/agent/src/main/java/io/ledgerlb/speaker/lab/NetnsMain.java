package io.ledgerlb.speaker.lab;

import io.ledgerlb.speaker.SpeakerMain;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Runs {@link SpeakerMain} inside a node's network namespace (started with {@code ip netns exec})
 * after opening relays for the given ports: {@code NetnsMain <relay-dir> <port,port,...> -- <speaker args>}.
 */
public final class NetnsMain {
    private NetnsMain() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        for (String port : args[1].split(",")) {
            int p = Integer.parseInt(port);
            Relay.tcpToUnix(p, dir.resolve(p + ".sock"));
        }
        SpeakerMain.main(Arrays.copyOfRange(args, 3, args.length));
    }
}
