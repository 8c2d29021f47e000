package io.ledgerlb.ledger.sign;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The public keys a reader believes: whose signed heads vouch for the ledger. From a file of PEM
 * {@code PUBLIC KEY} blocks (in deploy/ a ConfigMap). {@link #UNCHECKED} is the reader of an
 * unsigned ledger, before its adoption: it checks hashes and links only, and says so.
 */
public final class TrustedKeys {
    private static final String PUBLIC = "PUBLIC KEY";

    /** No keys: signatures are not checked at all (a ledger not adopted yet). */
    public static final TrustedKeys UNCHECKED = new TrustedKeys(Map.of());

    private final Map<String, PublicKey> byId;
    /** What checks each key's signatures (prepared once per key). */
    private final Map<String, Ed25519Signatures.Verifier> verifiers;

    private TrustedKeys(Map<String, PublicKey> byId) {
        this.byId = Map.copyOf(byId);
        Map<String, Ed25519Signatures.Verifier> prepared = new HashMap<>();
        byId.forEach((id, key) -> prepared.put(id, Ed25519Signatures.verifier(key)));
        this.verifiers = Map.copyOf(prepared);
    }

    public static TrustedKeys of(PublicKey... keys) {
        return of(List.of(keys));
    }

    public static TrustedKeys of(Collection<PublicKey> keys) {
        Map<String, PublicKey> byId = new LinkedHashMap<>();
        for (PublicKey key : keys) {
            byId.put(hex(KeyId.of(key)), key);
        }
        return new TrustedKeys(byId);
    }

    /** Every {@code PUBLIC KEY} block of the file; there must be at least one. */
    public static TrustedKeys load(Path file) throws IOException {
        List<byte[]> blocks = Pem.read(file, PUBLIC);
        if (blocks.isEmpty()) {
            throw new IOException(file + " holds no PEM block 'PUBLIC KEY' (Ed25519 public keys of the ledger's signers)");
        }
        List<PublicKey> keys = new java.util.ArrayList<>();
        for (byte[] der : blocks) {
            keys.add(publicKey(der, file.toString()));
        }
        return of(keys);
    }

    /** Decodes an X.509 Ed25519 public key (as a {@code SigningKeyRotated} event carries it). */
    public static PublicKey publicKey(byte[] der, String from) throws IOException {
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IOException("not an Ed25519 public key in " + from + ": " + e.getMessage(), e);
        }
    }

    static String pem(PublicKey key) {
        return Pem.write(PUBLIC, key.getEncoded());
    }

    /** Whether signatures are checked at all. */
    public boolean checked() {
        return !byId.isEmpty();
    }

    public boolean knows(byte[] keyId) {
        return byId.containsKey(hex(keyId));
    }

    public Optional<PublicKey> key(byte[] keyId) {
        return Optional.ofNullable(byId.get(hex(keyId)));
    }

    /** Whether {@code signature} is a known key's Ed25519 signature of {@code hash}. */
    public boolean verify(byte[] keyId, byte[] hash, byte[] signature) {
        Ed25519Signatures.Verifier key = verifiers.get(hex(keyId));
        return key != null && key.verify(hash, signature);
    }

    /** These keys with {@code key} added. */
    public TrustedKeys with(PublicKey key) {
        Map<String, PublicKey> more = new LinkedHashMap<>(byId);
        more.put(hex(KeyId.of(key)), key);
        return new TrustedKeys(more);
    }

    /** The keys after a rotation: {@code retired} no longer vouches for anything, {@code next} does. */
    public TrustedKeys rotated(byte[] retired, PublicKey next) {
        Map<String, PublicKey> after = new LinkedHashMap<>(byId);
        after.remove(hex(retired));
        after.put(hex(KeyId.of(next)), next);
        return new TrustedKeys(after);
    }

    public int size() {
        return byId.size();
    }

    private static String hex(byte[] keyId) {
        return HexFormat.of().formatHex(keyId);
    }

    @Override
    public String toString() {
        return checked() ? "TrustedKeys" + byId.keySet().stream().map(k -> k.substring(0, 16)).toList() : "TrustedKeys[unchecked]";
    }
}
