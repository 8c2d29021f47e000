package io.ledgerlb.ledger.event;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.SealedEvent;
import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import io.ledgerlb.ledger.sign.SigningKey;
import io.ledgerlb.ledger.sign.TrustedKeys;

/**
 * One sealed event of the ledger: the event, the exact bytes its hash covers, and the hash —
 * and, on a signed head, an Ed25519 signature of the hash and the id of its key (both empty
 * otherwise). The bytes are kept as written so that verification never depends on
 * re-serialization. Two entries are equal when their bytes and hash are: the signature is not
 * part of what the chain seals.
 */
public record LedgerEntry(Event event, byte[] eventBytes, byte[] hash, byte[] signature, byte[] keyId) {
    private static final byte[] NONE = new byte[0];

    public LedgerEntry(Event event, byte[] eventBytes, byte[] hash) {
        this(event, eventBytes, hash, NONE, NONE);
    }

    /** This entry as a signed head: {@code key} signs its hash. */
    public LedgerEntry signedBy(SigningKey key) {
        return new LedgerEntry(event, eventBytes, hash, key.sign(hash), key.keyId());
    }

    /** Whether the entry carries a signature (not whether it verifies: see {@link TrustedKeys#verify}). */
    public boolean signed() {
        return signature.length > 0;
    }

    /** Whether a key of {@code keys} signed this entry's hash. */
    public boolean signatureValid(TrustedKeys keys) {
        return signed() && keys.verify(keyId, hash, signature);
    }

    /** Seals an event whose sequence and prev_hash are already set. */
    public static LedgerEntry seal(Event event) {
        byte[] bytes = event.toByteArray();
        return new LedgerEntry(event, bytes, HashChain.link(event.getPrevHash().toByteArray(), bytes));
    }

    /** Parses the bytes of a Kafka record or journal row. Does not check the chain: see {@link #hashValid()}. */
    public static LedgerEntry decode(byte[] sealedBytes) throws LedgerFormatException {
        return SealedRecord.read(sealedBytes).entry();
    }

    /** The bytes of a {@code SealedEvent}, the same as its protobuf serialization. */
    public byte[] encode() {
        int size = fieldSize(EVENT_FIELD, eventBytes) + fieldSize(HASH_FIELD, hash)
                + fieldSize(SIGNATURE_FIELD, signature) + fieldSize(KEY_ID_FIELD, keyId);
        byte[] sealed = new byte[size];
        CodedOutputStream out = CodedOutputStream.newInstance(sealed);
        try {
            writeField(out, EVENT_FIELD, eventBytes);
            writeField(out, HASH_FIELD, hash);
            writeField(out, SIGNATURE_FIELD, signature);
            writeField(out, KEY_ID_FIELD, keyId);
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("the computed size of a sealed event is wrong", e);
        }
        return sealed;
    }

    // SealedEvent is read and written by hand: it is on the hot path of every append and replay,
    // and the generated code would copy the event's bytes twice and parse them through a builder.
    // Both follow protobuf's rules exactly (SealedEventWireTest compares them with the generated code).
    private static final int EVENT_FIELD = SealedEvent.EVENT_FIELD_NUMBER;
    private static final int HASH_FIELD = SealedEvent.HASH_FIELD_NUMBER;
    private static final int SIGNATURE_FIELD = SealedEvent.SIGNATURE_FIELD_NUMBER;
    private static final int KEY_ID_FIELD = SealedEvent.KEY_ID_FIELD_NUMBER;

    /** proto3 leaves empty bytes fields out. */
    private static int fieldSize(int field, byte[] value) {
        return value.length == 0 ? 0 : CodedOutputStream.computeByteArraySize(field, value);
    }

    private static void writeField(CodedOutputStream out, int field, byte[] value) throws IOException {
        if (value.length > 0) {
            out.writeByteArray(field, value);
        }
    }

    public long sequence() {
        return event.getSequence();
    }

    public byte[] prevHash() {
        return event.getPrevHash().toByteArray();
    }

    /** Whether this entry's prev_hash is {@code hash} (compared in place, without a copy). */
    public boolean linksTo(byte[] hash) {
        // a byte array wrapped as a ByteString compares with the event's as two arrays, without a copy
        return event.getPrevHash().equals(UnsafeByteOperations.unsafeWrap(hash));
    }

    /** The stored hash matches the stored bytes. */
    public boolean hashValid() {
        return HashChain.matches(hash, event.getPrevHash(), eventBytes);
    }

    /** A type this reader's schema does not know: written by a newer version. */
    public boolean unknownType() {
        return event.getBodyCase() == Event.BodyCase.BODY_NOT_SET;
    }

    public String hashHex() {
        return HexFormat.of().formatHex(hash);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LedgerEntry other
                && Arrays.equals(eventBytes, other.eventBytes)
                && Arrays.equals(hash, other.hash);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return "LedgerEntry[" + sequence() + " " + event.getBodyCase() + " " + hashHex().substring(0, 12)
                + (signed() ? " signed" : "") + "]";
    }
}
