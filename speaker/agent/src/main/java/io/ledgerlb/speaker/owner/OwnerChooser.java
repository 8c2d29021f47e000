package io.ledgerlb.speaker.owner;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Optional;

/**
 * Picks the one node that announces an IP in Layer 2, as MetalLB does: the candidates ordered by
 * SHA-256 of {@code node + "#" + ip}, first wins. It depends on the IP only (not the Service), so
 * Services sharing an IP land on one node; and losing a node moves only the IPs that node held,
 * because every other IP's first candidate is still there.
 */
public final class OwnerChooser {
    private OwnerChooser() {}

    public static Optional<String> owner(String ip, Collection<String> candidates) {
        String best = null;
        byte[] bestHash = null;
        for (String node : candidates) {
            byte[] hash = rank(node, ip);
            int c = bestHash == null ? -1 : Arrays.compareUnsigned(hash, bestHash);
            if (c < 0 || (c == 0 && node.compareTo(best) < 0)) {
                best = node;
                bestHash = hash;
            }
        }
        return Optional.ofNullable(best);
    }

    static byte[] rank(String node, String ip) {
        try {
            return MessageDigest.getInstance("SHA-256").digest((node + "#" + ip).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
