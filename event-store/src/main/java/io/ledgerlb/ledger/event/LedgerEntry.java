package io.ledgerlb.ledger.event;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.SealedEvent;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One sealed event of the ledger: the event, the exact bytes its hash covers, and the hash.
 * The bytes are kept as written so that verification never depends on re-serialization.
 */
public record LedgerEntry(Event event, byte[] eventBytes, byte[] hash) {

    /** Seals an event whose sequence and prev_hash are already set. */
    public static LedgerEntry seal(Event event) {
        byte[] bytes = event.toByteArray();
        return new LedgerEntry(event, bytes, HashChain.link(event.getPrevHash().toByteArray(), bytes));
    }

    /** Parses the bytes of a Kafka record or journal row. Does not check the chain: see {@link #hashValid()}. */
    public static LedgerEntry decode(byte[] sealedBytes) throws LedgerFormatException {
        SealedEvent sealed;
        Event event;
        try {
            sealed = SealedEvent.parseFrom(sealedBytes);
            event = Event.parseFrom(sealed.getEvent());
        } catch (InvalidProtocolBufferException e) {
            throw new LedgerFormatException(0, "not a ledger entry: " + e.getMessage(), e);
        }
        if (sealed.getHash().size() != HashChain.HASH_LENGTH || event.getSequence() <= 0
                || event.getPrevHash().size() != HashChain.HASH_LENGTH) {
            throw new LedgerFormatException(event.getSequence(), "entry lacks a sequence number or hashes");
        }
        return new LedgerEntry(event, sealed.getEvent().toByteArray(), sealed.getHash().toByteArray());
    }

    public byte[] encode() {
        return SealedEvent.newBuilder()
                .setEvent(ByteString.copyFrom(eventBytes))
                .setHash(ByteString.copyFrom(hash))
                .build()
                .toByteArray();
    }

    public long sequence() {
        return event.getSequence();
    }

    public byte[] prevHash() {
        return event.getPrevHash().toByteArray();
    }

    /** The stored hash matches the stored bytes. */
    public boolean hashValid() {
        return Arrays.equals(hash, HashChain.link(prevHash(), eventBytes));
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
        return "LedgerEntry[" + sequence() + " " + event.getBodyCase() + " " + hashHex().substring(0, 12) + "]";
    }
}
