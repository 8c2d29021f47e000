package io.ledgerlb.ledger.sign;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;

/**
 * Ed25519 (RFC 8032) signing and checking: with BouncyCastle's low-level code when it is on the
 * class path ({@link BouncyCastleEd25519}: ~0.06-0.15 ms per check, where JDK 17's provider takes
 * ~0.6 ms on an idle core of this machine, and replaying a ledger checks one per transaction),
 * else with the JDK's (the speaker's jar holds only BouncyCastle's Ed25519 and what it loads).
 * Ed25519 is deterministic, so both make the very same signatures, and each accepts the other's
 * ({@code Ed25519SignaturesTest}). A key BouncyCastle will not take (one of small order) is checked
 * by the JDK, as before, so that every reader gives the same verdicts whichever code it runs.
 */
final class Ed25519Signatures {
    /** Checks signatures made with one public key. */
    @FunctionalInterface
    interface Verifier {
        boolean verify(byte[] message, byte[] signature);
    }

    /** Signs with one private key. */
    @FunctionalInterface
    interface Signer {
        byte[] sign(byte[] message);
    }

    private static final boolean BOUNCY_CASTLE = BouncyCastleEd25519.available();

    private Ed25519Signatures() {}

    static Verifier verifier(PublicKey key) {
        if (BOUNCY_CASTLE) {
            Verifier fast = BouncyCastleEd25519.verifier(key);
            if (fast != null) {
                return fast;
            }
        }
        return jdkVerifier(key);
    }

    static Signer signer(PrivateKey key) {
        if (BOUNCY_CASTLE && key instanceof EdECPrivateKey edKey) {
            Signer fast = BouncyCastleEd25519.signer(edKey);
            if (fast != null) {
                return fast;
            }
        }
        return jdkSigner(key);
    }

    static Verifier jdkVerifier(PublicKey key) {
        return (message, signature) -> {
            try {
                Signature verifier = Signature.getInstance("Ed25519");
                verifier.initVerify(key);
                verifier.update(message);
                return verifier.verify(signature);
            } catch (GeneralSecurityException e) {
                return false; // a malformed signature
            }
        };
    }

    static Signer jdkSigner(PrivateKey key) {
        return message -> {
            try {
                Signature signature = Signature.getInstance("Ed25519");
                signature.initSign(key);
                signature.update(message);
                return signature.sign();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot sign with Ed25519", e);
            }
        };
    }
}
