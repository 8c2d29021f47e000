package io.ledgerlb.speaker.members;

import io.ledgerlb.speaker.members.DroppedDatagram.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM around every membership datagram. Layout: magic "LLBs", version 2, then the header
 * in clear — sender name, run id (16 random bytes per process start), run start (ms), counter,
 * sent at (ms) — then the gossip message encrypted, with the whole header as associated data, so
 * nothing in it can be changed without the tag failing.
 *
 * <p>Each run of each sender encrypts under its own key, HMAC-SHA256(shared key, label ‖ run id ‖
 * name), with the counter as the nonce: nonces never repeat under one key, however many
 * speakers and restarts share the Secret's key (random 96-bit nonces would not be safe past
 * 2^32 datagrams per key, a few hours of a large cluster).
 */
final class GossipSeal {
    static final int MAGIC = 0x4C4C4273;
    static final int VERSION = 2;
    static final int TAG_BITS = 128;
    private static final byte[] LABEL = "ledgerlb-gossip-v1".getBytes(StandardCharsets.US_ASCII);

    record RunId(long high, long low) {
        static RunId random() {
            SecureRandom random = new SecureRandom();
            return new RunId(random.nextLong(), random.nextLong());
        }
    }

    /** The header, authenticated: who sent it, in which run, its place in that run, and when. */
    record Header(String sender, RunId run, long runStart, long counter, long sentAtMillis) {}

    record Opened(Header header, byte[] message) {}

    private GossipSeal() {}

    /** One speaker's sending side; one thread uses it. */
    static final class Sealer {
        private final String sender;
        private final RunId run = RunId.random();
        private final long runStart;
        private final SecretKeySpec key;
        private final Cipher cipher;
        private long counter;

        Sealer(GossipKeys keys, String sender, long runStart) {
            this.sender = sender;
            this.runStart = runStart;
            this.key = runKey(keys.keys().get(0), run, sender);
            this.cipher = gcm();
        }

        byte[] seal(byte[] message, long nowMillis) {
            Header header = new Header(sender, run, runStart, ++counter, nowMillis);
            byte[] head = header(header);
            try {
                cipher.init(Cipher.ENCRYPT_MODE, key, nonce(header.counter()));
                cipher.updateAAD(head);
                byte[] out = new byte[head.length + cipher.getOutputSize(message.length)];
                System.arraycopy(head, 0, out, 0, head.length);
                cipher.doFinal(message, 0, message.length, out, head.length);
                return out;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM failed", e);
            }
        }
    }

    /** The receiving side: tries every key we hold; one thread uses it. */
    static final class Opener {
        private record CachedKey(int keyIndex, String sender, RunId run) {}

        private final GossipKeys keys;
        private final Cipher cipher = gcm();
        private final Map<CachedKey, SecretKeySpec> runKeys = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<CachedKey, SecretKeySpec> eldest) {
                return size() > 1024;
            }
        };

        Opener(GossipKeys keys) {
            this.keys = keys;
        }

        Opened open(byte[] data, int length) throws DroppedDatagram {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, 0, length));
            Header header;
            int headLength;
            try {
                if (in.readInt() != MAGIC || in.readByte() != VERSION) {
                    throw new DroppedDatagram(Reason.UNAUTHENTICATED, "not a sealed ledgerlb membership datagram");
                }
                header = new Header(in.readUTF(), new RunId(in.readLong(), in.readLong()),
                        in.readLong(), in.readLong(), in.readLong());
                headLength = length - in.available();
            } catch (IOException e) {
                throw new DroppedDatagram(Reason.UNAUTHENTICATED, "truncated membership header");
            }
            if (length - headLength < TAG_BITS / 8) {
                throw new DroppedDatagram(Reason.UNAUTHENTICATED, "no authentication tag");
            }
            for (int i = 0; i < keys.keys().size(); i++) {
                CachedKey cacheKey = new CachedKey(i, header.sender(), header.run());
                SecretKeySpec known = runKeys.get(cacheKey);
                SecretKeySpec key = known != null ? known : runKey(keys.keys().get(i), header.run(), header.sender());
                try {
                    cipher.init(Cipher.DECRYPT_MODE, key, nonce(header.counter()));
                    cipher.updateAAD(data, 0, headLength);
                    byte[] message = cipher.doFinal(data, headLength, length - headLength);
                    if (known == null) {
                        runKeys.put(cacheKey, key);
                    }
                    return new Opened(header, message);
                } catch (AEADBadTagException e) {
                    // not this key: try the next one
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("AES-GCM failed", e);
                }
            }
            throw new DroppedDatagram(Reason.UNAUTHENTICATED, "no key of ours opens it (sender says " + header.sender() + ")");
        }
    }

    static byte[] header(Header h) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.writeInt(MAGIC);
            out.writeByte(VERSION);
            out.writeUTF(h.sender());
            out.writeLong(h.run().high());
            out.writeLong(h.run().low());
            out.writeLong(h.runStart());
            out.writeLong(h.counter());
            out.writeLong(h.sentAtMillis());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static SecretKeySpec runKey(byte[] sharedKey, RunId run, String sender) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(sharedKey, "HmacSHA256"));
            mac.update(LABEL);
            mac.update(ByteBuffer.allocate(16).putLong(run.high()).putLong(run.low()).array());
            mac.update(sender.getBytes(StandardCharsets.UTF_8));
            return new SecretKeySpec(mac.doFinal(), "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 failed", e);
        }
    }

    private static GCMParameterSpec nonce(long counter) {
        return new GCMParameterSpec(TAG_BITS, ByteBuffer.allocate(12).putInt(0).putLong(counter).array());
    }

    private static Cipher gcm() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is missing from this JDK", e);
        }
    }
}
