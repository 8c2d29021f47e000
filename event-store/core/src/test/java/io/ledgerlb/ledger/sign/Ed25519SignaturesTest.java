package io.ledgerlb.ledger.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** BouncyCastle's Ed25519 as the ledger uses it, held to JDK 17's: the same signatures, the same verdicts. */
class Ed25519SignaturesTest {
    private final Random random = new Random(11);

    @Test
    void signsTheBytesTheJdkSignsAndEachSideAcceptsTheOthers() throws Exception {
        for (int k = 0; k < 20; k++) {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] hash = bytes(32);
            byte[] ours = Ed25519Signatures.sign(Ed25519Signatures.secret((EdECPrivateKey) pair.getPrivate()), hash);
            Signature jdk = Signature.getInstance("Ed25519");
            jdk.initSign(pair.getPrivate());
            jdk.update(hash);
            assertThat(ours).isEqualTo(jdk.sign());
            assertThat(Ed25519Signatures.verify(Ed25519Signatures.point(pair.getPublic()).orElseThrow(), hash, ours)).isTrue();
            assertThat(jdkVerifies(pair.getPublic(), hash, ours)).isTrue();
        }
    }

    @Test
    void rejectsWhatTheJdkRejects() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        var point = Ed25519Signatures.point(pair.getPublic()).orElseThrow();
        byte[] hash = bytes(32);
        byte[] signature = Ed25519Signatures.sign(Ed25519Signatures.secret((EdECPrivateKey) pair.getPrivate()), hash);
        for (int bit = 0; bit < 64 * 8; bit++) { // every single-bit change of the signature
            byte[] flipped = signature.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(Ed25519Signatures.verify(point, hash, flipped)).as("bit %d", bit)
                    .isEqualTo(jdkVerifies(pair.getPublic(), hash, flipped)).isFalse();
        }
        for (int bit = 0; bit < 32 * 8; bit++) { // every single-bit change of the signed hash
            byte[] altered = hash.clone();
            altered[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(Ed25519Signatures.verify(point, altered, signature)).isFalse();
        }
        var otherPoint = Ed25519Signatures.point(other.getPublic()).orElseThrow();
        assertThat(Ed25519Signatures.verify(otherPoint, hash, signature)).isFalse();
        assertThat(jdkVerifies(other.getPublic(), hash, signature)).isFalse();
        // S + L: the same point equation, but not S < L (RFC 8032 5.1.7); both refuse it
        byte[] sPlusL = signature.clone();
        addOrder(sPlusL);
        assertThat(Ed25519Signatures.verify(point, hash, sPlusL)).isEqualTo(jdkVerifies(pair.getPublic(), hash, sPlusL)).isFalse();
        assertThat(Ed25519Signatures.verify(point, hash, new byte[63])).isFalse();
        assertThat(Ed25519Signatures.verify(point, hash, new byte[64])).isFalse();
        assertThat(Ed25519Signatures.verify(point, hash, new byte[0])).isFalse();
    }

    @Test
    void trustedKeysCheckThroughItAndRefuseASmallOrderKey() throws Exception {
        SigningKey key = SigningKey.generate();
        TrustedKeys keys = TrustedKeys.of(key.publicKey());
        byte[] hash = bytes(32);
        assertThat(keys.verify(key.keyId(), hash, key.sign(hash))).isTrue();
        assertThat(keys.verify(key.keyId(), bytes(32), key.sign(hash))).isFalse();
        assertThat(TrustedKeys.publicKey(key.publicKey().getEncoded(), "test")).isEqualTo(key.publicKey());
        // the identity point (y = 1), of order 1: the JDK takes it as a key; a ledger must not trust it
        byte[] identity = HexFormat.of().parseHex("302a300506032b6570032100" + "01" + "00".repeat(31));
        assertThatThrownBy(() -> TrustedKeys.publicKey(identity, "a rotation")).isInstanceOf(IOException.class)
                .hasMessageContaining("not a usable Ed25519 public key in a rotation");
    }

    /** Adds the group order L to the signature's S (little-endian, its last 32 bytes). */
    private static void addOrder(byte[] signature) {
        byte[] order = HexFormat.of().parseHex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
        int carry = 0;
        for (int i = 0; i < 32; i++) {
            int sum = (signature[32 + i] & 0xff) + (order[i] & 0xff) + carry;
            signature[32 + i] = (byte) sum;
            carry = sum >> 8;
        }
    }

    private static boolean jdkVerifies(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature jdk = Signature.getInstance("Ed25519");
            jdk.initVerify(key);
            jdk.update(message);
            return jdk.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private byte[] bytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
