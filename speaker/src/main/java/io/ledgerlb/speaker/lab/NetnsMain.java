package io.ledgerlb.speaker.lab;

import io.ledgerlb.speaker.SpeakerMain;
import io.ledgerlb.speaker.members.GossipKeys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs {@link SpeakerMain} inside a node's network namespace (started with {@code ip netns exec})
 * after opening relays for the given ports: {@code NetnsMain <relay-dir> <port,port,...> -- <speaker args>}.
 * Unless the arguments choose otherwise, the lab's speakers share a membership key kept in the
 * relay directory ({@value #LAB_KEY}, made by the first one to start).
 */
public final class NetnsMain {
    static final String LAB_KEY = "memberlist.key";

    private NetnsMain() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        for (String port : args[1].split(",")) {
            int p = Integer.parseInt(port);
            Relay.tcpToUnix(p, dir.resolve(p + ".sock"));
        }
        List<String> speakerArgs = new ArrayList<>(Arrays.asList(args).subList(3, args.length));
        if (speakerArgs.stream().noneMatch(a -> a.startsWith("--memberlist-key-file") || a.equals("--insecure-membership"))) {
            Path key = dir.resolve(LAB_KEY);
            GossipKeys.createIfAbsent(key);
            speakerArgs.add("--memberlist-key-file=" + key);
        }
        SpeakerMain.main(speakerArgs.toArray(String[]::new));
    }
}
