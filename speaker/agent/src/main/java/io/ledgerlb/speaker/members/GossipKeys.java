package io.ledgerlb.speaker.members;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared keys of the membership protocol, as the Secret holds them: one key per line, the
 * first one encrypts, every one decrypts (rotation: add the new key as the second line, roll
 * out; move it first, roll out; drop the old one). A line is any text of at least
 * {@value #MIN_CHARS} characters ({@code openssl rand -base64 32}); its SHA-256 is the key.
 */
public record GossipKeys(List<byte[]> keys) {
    static final int MIN_CHARS = 32;

    public GossipKeys {
        if (keys.isEmpty() || keys.size() > 2) {
            throw new IllegalArgumentException("a membership key file holds one key, or two while rotating, not " + keys.size());
        }
        keys = List.copyOf(keys);
    }

    /** Reads a key file; a clear message names what is wrong with it. */
    public static GossipKeys read(Path file) throws IOException {
        List<byte[]> keys = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            if (text.length() < MIN_CHARS) {
                throw new IllegalArgumentException("membership key file " + file + ": a key must have at least "
                        + MIN_CHARS + " characters (make one with: openssl rand -base64 32)");
            }
            keys.add(sha256(text.getBytes(StandardCharsets.UTF_8)));
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("membership key file " + file + " holds no key (make one with: openssl rand -base64 32)");
        }
        return new GossipKeys(keys);
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
