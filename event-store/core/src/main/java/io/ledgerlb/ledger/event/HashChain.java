package io.ledgerlb.ledger.event;

import com.google.protobuf.ByteString;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The ledger's hash chain: hash = SHA-256(prev_hash || event bytes). */
public final class HashChain {
    public static final int HASH_LENGTH = 32;
    /** The prev_hash of the first event. */
    public static final byte[] GENESIS = new byte[HASH_LENGTH];

    /** One digest per thread: looking one up costs more than hashing an event. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(HashChain::newSha256);
    /** Where a thread copies a prev_hash out of its ByteString before hashing it (a ByteBuffer view would be garbage per entry). */
    private static final ThreadLocal<byte[]> PREV_HASH = ThreadLocal.withInitial(() -> new byte[HASH_LENGTH]);

    private HashChain() {}

    public static byte[] link(byte[] prevHash, byte[] eventBytes) {
        MessageDigest sha = SHA256.get();
        sha.update(prevHash);
        sha.update(eventBytes);
        return sha.digest();
    }

    /** As {@link #link(byte[], byte[])}, reading the prev_hash where the event keeps it. */
    public static byte[] link(ByteString prevHash, byte[] eventBytes) {
        MessageDigest sha = SHA256.get();
        if (prevHash.size() == HASH_LENGTH) {
            byte[] copy = PREV_HASH.get();
            prevHash.copyTo(copy, 0);
            sha.update(copy);
        } else {
            sha.update(prevHash.asReadOnlyByteBuffer());
        }
        sha.update(eventBytes);
        return sha.digest();
    }

    /** Whether {@code hash} is the link of these ({@link #link(ByteString, byte[])}), computed without a new array. */
    public static boolean matches(byte[] hash, ByteString prevHash, byte[] eventBytes) {
        MessageDigest sha = SHA256.get();
        byte[] buffer = PREV_HASH.get();
        if (prevHash.size() == HASH_LENGTH) {
            prevHash.copyTo(buffer, 0);
            sha.update(buffer);
        } else {
            sha.update(prevHash.asReadOnlyByteBuffer());
        }
        sha.update(eventBytes);
        return digestIs(sha, hash); // into the buffer: the prev_hash's copy is no longer needed
    }

    /** Whether {@code hash} is the link of the event's own 32-byte prev_hash, at {@code prevHashAt} in its bytes, and those bytes. */
    static boolean matches(byte[] hash, byte[] eventBytes, int prevHashAt) {
        MessageDigest sha = SHA256.get();
        sha.update(eventBytes, prevHashAt, HASH_LENGTH);
        sha.update(eventBytes);
        return digestIs(sha, hash);
    }

    /** Whether {@code sha}'s digest is {@code hash}, finished into this thread's buffer rather than a new array. */
    private static boolean digestIs(MessageDigest sha, byte[] hash) {
        byte[] digest = PREV_HASH.get();
        try {
            sha.digest(digest, 0, HASH_LENGTH);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException("SHA-256 did not fill 32 bytes", e);
        }
        return java.util.Arrays.equals(digest, hash);
    }

    public static byte[] sha256(byte[] bytes) {
        return SHA256.get().digest(bytes);
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    }
}
