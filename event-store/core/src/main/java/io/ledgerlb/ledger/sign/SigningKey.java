package io.ledgerlb.ledger.sign;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.List;

/**
 * The allocator's Ed25519 key: it signs the hashes of the ledger's heads. It comes from a PEM
 * file (PKCS#8, as {@code openssl genpkey -algorithm ed25519} writes it; in deploy/ a Secret
 * mounted as a file) and never enters the ledger.
 */
public final class SigningKey {
    private static final String PRIVATE = "PRIVATE KEY";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final byte[] keyId;
    private final Ed25519Signatures.Signer signer;

    private SigningKey(KeyPair pair) {
        this.privateKey = pair.getPrivate();
        this.publicKey = pair.getPublic();
        this.keyId = KeyId.of(publicKey);
        this.signer = Ed25519Signatures.signer(privateKey);
    }

    public static SigningKey generate() {
        try {
            return new SigningKey(KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM lacks Ed25519", e);
        }
    }

    /** Reads a PKCS#8 Ed25519 private key; the public key is derived from it. */
    public static SigningKey load(Path file) throws IOException {
        List<byte[]> blocks = Pem.read(file, PRIVATE);
        if (blocks.size() != 1) {
            throw new IOException(file + " must hold one PEM block 'PRIVATE KEY' (an Ed25519 key), found " + blocks.size());
        }
        try {
            PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(blocks.get(0)));
            return new SigningKey(derivePair((EdECPrivateKey) key));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IOException(file + " is not an Ed25519 private key: " + e.getMessage(), e);
        }
    }

    /**
     * The key in {@code file}; when there is none, a new one written there (owner-only) with its
     * public key beside it ({@code <file>.pub}) — the embedded default's first run.
     */
    public static SigningKey loadOrGenerate(Path file) {
        try {
            if (Files.exists(file)) {
                return load(file);
            }
            SigningKey key = generate();
            key.write(file);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the ledger signing key " + file, e);
        }
    }

    /** Writes the private key to {@code file} (owner-only, PEM PKCS#8) and its public key beside it ({@code <file>.pub}). */
    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, Pem.write(PRIVATE, privateKey.getEncoded()), StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(tmp, file);
        Files.writeString(publicKeyFile(file), publicKeyPem());
    }

    /** Where {@link #write} puts the public key. */
    public static Path publicKeyFile(Path privateKeyFile) {
        return privateKeyFile.resolveSibling(privateKeyFile.getFileName() + ".pub");
    }

    /** JDK 17 cannot derive an Ed25519 public key directly; a generator fed the private bytes as its randomness does. */
    private static KeyPair derivePair(EdECPrivateKey key) throws GeneralSecurityException {
        byte[] secret = key.getBytes().orElseThrow(() -> new GeneralSecurityException("the private key's bytes are not available"));
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        generator.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                System.arraycopy(secret, 0, bytes, 0, bytes.length);
            }
        });
        KeyPair derived = generator.generateKeyPair();
        return new KeyPair(derived.getPublic(), key);
    }

    public byte[] sign(byte[] hash) {
        return signer.sign(hash);
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public byte[] keyId() {
        return keyId.clone();
    }

    public String publicKeyPem() {
        return TrustedKeys.pem(publicKey);
    }

    @Override
    public String toString() {
        return "SigningKey[" + KeyId.shortHex(keyId) + "]";
    }
}
