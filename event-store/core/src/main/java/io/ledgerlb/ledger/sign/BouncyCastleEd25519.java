package io.ledgerlb.ledger.sign;

import java.security.PublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/** BouncyCastle's RFC 8032 code behind {@link Ed25519Signatures}; loaded only when BouncyCastle is on the class path. */
final class BouncyCastleEd25519 {
    /** The X.509 SubjectPublicKeyInfo of an Ed25519 key, up to its 32 key bytes (RFC 8410). */
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private BouncyCastleEd25519() {}

    static boolean available() {
        try {
            Class.forName("org.bouncycastle.math.ec.rfc8032.Ed25519", false, BouncyCastleEd25519.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** A verifier with the key's point decoded once; null when BouncyCastle will not take the key (e.g. of small order). */
    static Ed25519Signatures.Verifier verifier(PublicKey key) {
        byte[] der = key.getEncoded();
        if (der == null || der.length != X509_PREFIX.length + Ed25519.PUBLIC_KEY_SIZE
                || !Arrays.equals(der, 0, X509_PREFIX.length, X509_PREFIX, 0, X509_PREFIX.length)) {
            return null;
        }
        Ed25519.PublicPoint point = Ed25519.validatePublicKeyFullExport(der, X509_PREFIX.length);
        if (point == null) {
            return null;
        }
        return (message, signature) -> signature.length == Ed25519.SIGNATURE_SIZE
                && Ed25519.verify(signature, 0, point, message, 0, message.length);
    }

    /** A signer with the key's 32 secret bytes; null when the key does not give them out. */
    static Ed25519Signatures.Signer signer(EdECPrivateKey key) {
        byte[] secret = key.getBytes().filter(bytes -> bytes.length == Ed25519.SECRET_KEY_SIZE).orElse(null);
        if (secret == null) {
            return null;
        }
        return message -> {
            byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
            Ed25519.sign(secret, 0, message, 0, message.length, signature, 0);
            return signature;
        };
    }
}
