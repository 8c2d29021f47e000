package io.ledgerlb.ledger.event;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.SealedEvent;
import io.ledgerlb.ledger.sign.TrustedKeys;
import java.util.Arrays;

/**
 * A ledger record read from its bytes but not decoded yet: the parts of its {@code SealedEvent} —
 * the event's bytes, the hash, the signature and key id — copied out once, read as protobuf reads
 * them (fields in any order, a later occurrence winning, unknown fields and known numbers with
 * another wire type skipped). Checking it needs nothing but these bytes ({@link #check}), so a
 * reader checks records on one thread and decodes them ({@link #entry}) on the thread that links
 * and folds them.
 */
public final class SealedRecord {
    private static final byte[] NONE = new byte[0];

    private final byte[] eventBytes;
    private final byte[] hash;
    private final byte[] signature;
    private final byte[] keyId;

    private SealedRecord(byte[] eventBytes, byte[] hash, byte[] signature, byte[] keyId) {
        this.eventBytes = eventBytes;
        this.hash = hash;
        this.signature = signature;
        this.keyId = keyId;
    }

    /** Reads the bytes of a Kafka record or journal row. */
    public static SealedRecord read(byte[] sealed) throws LedgerFormatException {
        // where each part sits, by its field number (1 to 4: event, hash, signature, key id)
        int[] at = new int[5];
        int[] length = new int[5];
        try {
            WireReader in = new WireReader().reset(sealed, 0, sealed.length);
            for (int tag = in.tag(); tag != 0; tag = in.tag()) {
                int field = WireReader.wireType(tag) == WireReader.LENGTH_DELIMITED ? WireReader.fieldNumber(tag) : 0;
                if (field >= SealedEvent.EVENT_FIELD_NUMBER && field <= SealedEvent.KEY_ID_FIELD_NUMBER) {
                    length[field] = in.length();
                    at[field] = in.skip(length[field]);
                } else {
                    in.skipField(tag); // unknown, or a known number with another wire type
                }
            }
        } catch (WireReader.Malformed e) {
            throw new LedgerFormatException(0, "not a ledger entry: the bytes are not a well-formed SealedEvent", e);
        }
        return new SealedRecord(part(sealed, at, length, SealedEvent.EVENT_FIELD_NUMBER), part(sealed, at, length, SealedEvent.HASH_FIELD_NUMBER),
                part(sealed, at, length, SealedEvent.SIGNATURE_FIELD_NUMBER), part(sealed, at, length, SealedEvent.KEY_ID_FIELD_NUMBER));
    }

    private static byte[] part(byte[] sealed, int[] at, int[] length, int field) {
        return length[field] == 0 ? NONE : Arrays.copyOfRange(sealed, at[field], at[field] + length[field]);
    }

    /**
     * The checks of its bytes alone; null when they are not of a shape read here (no 32-byte hash
     * or prev_hash), and decoding tells what the record is.
     */
    public RecordCheck check(TrustedKeys keys) {
        int prevHashAt = prevHashAt();
        if (hash.length != HashChain.HASH_LENGTH || prevHashAt < 0) {
            return null;
        }
        boolean hashValid = HashChain.matches(hash, eventBytes, prevHashAt);
        SignedChain.SignatureCheck signatureCheck = hashValid && signature.length > 0 && keys.checked()
                ? new SignedChain.SignatureCheck(keys, SignedChain.signatureProblem(keyId, hash, signature, keys))
                : null;
        if (signatureCheck == null) {
            return hashValid ? RecordCheck.HASH_VALID : RecordCheck.HASH_INVALID;
        }
        return new RecordCheck(hashValid, signatureCheck);
    }

    /**
     * Where the event's prev_hash sits in its bytes — its last top-level {@code prev_hash} field of
     * the bytes type, as protobuf reads it — when that is 32 bytes; else -1.
     */
    private int prevHashAt() {
        int at = -1;
        int length = 0;
        try {
            WireReader in = new WireReader().reset(eventBytes, 0, eventBytes.length);
            for (int tag = in.tag(); tag != 0; tag = in.tag()) {
                if (WireReader.fieldNumber(tag) == Event.PREV_HASH_FIELD_NUMBER && WireReader.wireType(tag) == WireReader.LENGTH_DELIMITED) {
                    length = in.length();
                    at = in.skip(length);
                } else {
                    in.skipField(tag);
                }
            }
        } catch (WireReader.Malformed e) {
            return -1;
        }
        return length == HashChain.HASH_LENGTH ? at : -1;
    }

    /** The entry, its event decoded. Does not check the chain: see {@link #check} and {@link LedgerEntry#hashValid()}. */
    public LedgerEntry entry() throws LedgerFormatException {
        Event event;
        try {
            event = EventDecoder.decode(eventBytes, 0, eventBytes.length);
        } catch (InvalidProtocolBufferException e) {
            throw new LedgerFormatException(0, "not a ledger entry: " + e.getMessage(), e);
        }
        if (hash.length != HashChain.HASH_LENGTH || event.getSequence() <= 0
                || event.getPrevHash().size() != HashChain.HASH_LENGTH) {
            throw new LedgerFormatException(event.getSequence(), "entry lacks a sequence number or hashes");
        }
        return new LedgerEntry(event, eventBytes, hash, signature, keyId);
    }
}
