package io.ledgerlb.ledger.sign;

import java.security.PublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 (RFC 8032) with BouncyCastle's low-level code instead of JDK 17's provider, which
 * takes ~0.6 ms per check on an idle core of this machine (BouncyCastle: ~0.06 ms; replaying a
 * ledger checks one per transaction). Keys stay JDK {@code PublicKey}/{@code PrivateKey} objects;
 * only the arithmetic moves. Ed25519 is deterministic, so signatures are the very bytes the JDK
 * makes, and each side accepts the other's ({@code Ed25519SignaturesTest}).
 */
final class Ed25519Signatures {
    /** The X.509 SubjectPublicKeyInfo of an Ed25519 key, up to its 32 key bytes (RFC 8410). */
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final int KEY_LENGTH = Ed25519.PUBLIC_KEY_SIZE;

    private Ed25519Signatures() {}

    /** A public key's point, decoded once for all its checks; empty when it is no usable Ed25519 key (e.g. of small order). */
    static Optional<Ed25519.PublicPoint> point(PublicKey key) {
        byte[] der = key.getEncoded();
        if (der == null || der.length != X509_PREFIX.length + KEY_LENGTH
                || !Arrays.equals(der, 0, X509_PREFIX.length, X509_PREFIX, 0, X509_PREFIX.length)) {
            return Optional.empty();
        }
        return Optional.ofNullable(Ed25519.validatePublicKeyFullExport(der, X509_PREFIX.length));
    }

    /** Whether {@code signature} is the key's signature of {@code message}. */
    static boolean verify(Ed25519.PublicPoint key, byte[] message, byte[] signature) {
        return signature.length == Ed25519.SIGNATURE_SIZE
                && Ed25519.verify(signature, 0, key, message, 0, message.length);
    }

    /** The private key's 32 secret bytes, as RFC 8032 names them. */
    static byte[] secret(EdECPrivateKey key) {
        return key.getBytes().filter(bytes -> bytes.length == Ed25519.SECRET_KEY_SIZE)
                .orElseThrow(() -> new IllegalArgumentException("the Ed25519 private key's bytes are not available"));
    }

    static byte[] sign(byte[] secret, byte[] message) {
        byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.sign(secret, 0, message, 0, message.length, signature, 0);
        return signature;
    }
}
