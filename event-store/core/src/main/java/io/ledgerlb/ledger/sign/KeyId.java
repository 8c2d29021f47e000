package io.ledgerlb.ledger.sign;

import io.ledgerlb.ledger.event.HashChain;
import java.security.PublicKey;
import java.util.HexFormat;

/** A public key's id, as entries carry it: SHA-256 of its X.509 encoding. */
public final class KeyId {
    private KeyId() {}

    public static byte[] of(PublicKey key) {
        return HashChain.sha256(key.getEncoded());
    }

    /** The first 8 bytes in hex: enough to tell keys apart in a log line. */
    public static String shortHex(byte[] keyId) {
        return keyId.length == 0 ? "none" : HexFormat.of().formatHex(keyId, 0, Math.min(8, keyId.length));
    }
}
