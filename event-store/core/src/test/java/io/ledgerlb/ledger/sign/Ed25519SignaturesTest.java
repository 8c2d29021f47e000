package io.ledgerlb.ledger.sign;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
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
            byte[] ours = bouncyCastleSigner(pair).sign(hash);
            assertThat(ours).isEqualTo(Ed25519Signatures.jdkSigner(pair.getPrivate()).sign(hash));
            assertThat(bouncyCastleVerifier(pair.getPublic()).verify(hash, ours)).isTrue();
            assertThat(jdkVerifies(pair.getPublic(), hash, ours)).isTrue();
        }
    }

    @Test
    void rejectsWhatTheJdkRejects() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Ed25519Signatures.Verifier point = bouncyCastleVerifier(pair.getPublic());
        byte[] hash = bytes(32);
        byte[] signature = bouncyCastleSigner(pair).sign(hash);
        for (int bit = 0; bit < 64 * 8; bit++) { // every single-bit change of the signature
            byte[] flipped = signature.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(point.verify(hash, flipped)).as("bit %d", bit)
                    .isEqualTo(jdkVerifies(pair.getPublic(), hash, flipped)).isFalse();
        }
        for (int bit = 0; bit < 32 * 8; bit++) { // every single-bit change of the signed hash
            byte[] altered = hash.clone();
            altered[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(point.verify(altered, signature)).isFalse();
        }
        assertThat(bouncyCastleVerifier(other.getPublic()).verify(hash, signature)).isFalse();
        assertThat(jdkVerifies(other.getPublic(), hash, signature)).isFalse();
        // S + L: the same point equation, but not S < L (RFC 8032 5.1.7); both refuse it
        byte[] sPlusL = signature.clone();
        addOrder(sPlusL);
        assertThat(point.verify(hash, sPlusL)).isEqualTo(jdkVerifies(pair.getPublic(), hash, sPlusL)).isFalse();
        assertThat(point.verify(hash, new byte[63])).isFalse();
        assertThat(point.verify(hash, new byte[64])).isFalse();
        assertThat(point.verify(hash, new byte[0])).isFalse();
    }

    @Test
    void aKeyBouncyCastleWillNotTakeIsCheckedByTheJdkAsBefore() throws Exception {
        SigningKey key = SigningKey.generate();
        TrustedKeys keys = TrustedKeys.of(key.publicKey());
        byte[] hash = bytes(32);
        assertThat(BouncyCastleEd25519.available()).isTrue(); // on ledger-core's class path; the speaker's jar has none
        assertThat(keys.verify(key.keyId(), hash, key.sign(hash))).isTrue();
        assertThat(keys.verify(key.keyId(), bytes(32), key.sign(hash))).isFalse();
        // the identity point (y = 1), of order 1: the JDK takes it as a key, BouncyCastle does not; the JDK decides
        PublicKey identity = TrustedKeys.publicKey(HexFormat.of().parseHex("302a300506032b6570032100" + "01" + "00".repeat(31)), "test");
        assertThat(BouncyCastleEd25519.verifier(identity)).isNull();
        byte[] signature = bytes(64);
        signature[63] &= 0x0f; // S < L
        assertThat(TrustedKeys.of(identity).verify(KeyId.of(identity), hash, signature))
                .isEqualTo(jdkVerifies(identity, hash, signature));
    }

    private static Ed25519Signatures.Verifier bouncyCastleVerifier(PublicKey key) {
        Ed25519Signatures.Verifier verifier = BouncyCastleEd25519.verifier(key);
        assertThat(verifier).isNotNull();
        return verifier;
    }

    private static Ed25519Signatures.Signer bouncyCastleSigner(KeyPair pair) {
        Ed25519Signatures.Signer signer = BouncyCastleEd25519.signer((EdECPrivateKey) pair.getPrivate());
        assertThat(signer).isNotNull();
        return signer;
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
        return Ed25519Signatures.jdkVerifier(key).verify(message, signature);
    }

    private byte[] bytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
