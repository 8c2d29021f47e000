package io.ledgerlb.ledger.event;

import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.SealedEvent;

/**
 * Where the parts of a serialized {@code SealedEvent} sit in its bytes — the event, the hash, the
 * signature and key id — read as protobuf reads them: fields in any order, a later occurrence
 * winning, unknown fields (or known numbers with another wire type) skipped. A part that is absent
 * has length 0.
 */
final class SealedLayout {
    private static final int EVENT_FIELD = SealedEvent.EVENT_FIELD_NUMBER;
    private static final int HASH_FIELD = SealedEvent.HASH_FIELD_NUMBER;
    private static final int SIGNATURE_FIELD = SealedEvent.SIGNATURE_FIELD_NUMBER;
    private static final int KEY_ID_FIELD = SealedEvent.KEY_ID_FIELD_NUMBER;

    final byte[] bytes;
    int eventAt;
    int eventLength;
    int hashAt;
    int hashLength;
    int signatureAt;
    int signatureLength;
    int keyIdAt;
    int keyIdLength;
    int prevHashAt = -1;
    int prevHashLength;

    private SealedLayout(byte[] bytes) {
        this.bytes = bytes;
    }

    static SealedLayout read(byte[] sealed) throws WireReader.Malformed {
        SealedLayout layout = new SealedLayout(sealed);
        WireReader in = new WireReader().reset(sealed, 0, sealed.length);
        for (int tag = in.tag(); tag != 0; tag = in.tag()) {
            int field = WireReader.wireType(tag) == WireReader.LENGTH_DELIMITED
                    ? WireReader.fieldNumber(tag) : 0; // a known number with another type is unknown
            switch (field) {
                case EVENT_FIELD -> {
                    layout.eventLength = in.length();
                    layout.eventAt = in.skip(layout.eventLength);
                }
                case HASH_FIELD -> {
                    layout.hashLength = in.length();
                    layout.hashAt = in.skip(layout.hashLength);
                }
                case SIGNATURE_FIELD -> {
                    layout.signatureLength = in.length();
                    layout.signatureAt = in.skip(layout.signatureLength);
                }
                case KEY_ID_FIELD -> {
                    layout.keyIdLength = in.length();
                    layout.keyIdAt = in.skip(layout.keyIdLength);
                }
                default -> in.skipField(tag);
            }
        }
        return layout;
    }

    /**
     * Finds where the event's prev_hash sits in {@link #bytes} ({@link #prevHashAt},
     * {@link #prevHashLength}): its last top-level {@code prev_hash} field of the bytes type, as
     * protobuf reads it. False when the event has none.
     */
    boolean findPrevHash() throws WireReader.Malformed {
        prevHashAt = -1;
        prevHashLength = 0;
        WireReader in = new WireReader().reset(bytes, eventAt, eventLength);
        for (int tag = in.tag(); tag != 0; tag = in.tag()) {
            if (WireReader.fieldNumber(tag) == Event.PREV_HASH_FIELD_NUMBER && WireReader.wireType(tag) == WireReader.LENGTH_DELIMITED) {
                prevHashLength = in.length();
                prevHashAt = in.skip(prevHashLength);
            } else {
                in.skipField(tag);
            }
        }
        return prevHashAt >= 0;
    }

    byte[] copy(int at, int length) {
        return java.util.Arrays.copyOfRange(bytes, at, at + length);
    }
}
