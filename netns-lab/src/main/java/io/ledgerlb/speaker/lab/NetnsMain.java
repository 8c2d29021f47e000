package io.ledgerlb.speaker.lab;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Runs the speaker ({@code io.ledgerlb.speaker.SpeakerMain}) inside a node's network namespace
 * (started with {@code ip netns exec}) after opening relays for the given ports:
 * {@code NetnsMain <relay-dir> <port,port,...> -- <speaker args>}. The speaker is called by name:
 * the lab is a test dependency of the speaker, so it cannot depend on it; the class path given to
 * {@code java} (the speaker's tests, the benchmarks jar) has both.
 *
 * <p>Unless the arguments choose otherwise, the lab's speakers seal their membership with a key
 * they share in the relay directory ({@value #LAB_KEY}, written by the first one to start).
 */
public final class NetnsMain {
    static final String SPEAKER_MAIN = "io.ledgerlb.speaker.SpeakerMain";
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
            speakerArgs.add("--memberlist-key-file=" + sharedKey(dir.resolve(LAB_KEY)));
        }
        Class.forName(SPEAKER_MAIN).getMethod("main", String[].class).invoke(null, (Object) speakerArgs.toArray(String[]::new));
    }

    /** The lab's membership key file, made with a random key unless another speaker made it first. */
    static Path sharedKey(Path file) throws Exception {
        if (!Files.exists(file)) {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".memberlist", ".key");
            Files.writeString(tmp, Base64.getEncoder().encodeToString(key) + "\n");
            try {
                Files.move(tmp, file); // not replacing: a second writer keeps the first one's key
            } catch (FileAlreadyExistsException e) {
                Files.delete(tmp);
            }
        }
        return file;
    }
}
