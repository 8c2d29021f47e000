package io.ledgerlb.ledger.event;

/**
 * A cursor over protobuf wire bytes in an array, for the two hand-written readers on the replay
 * path ({@link EventDecoder}, {@link LedgerEntry#decode}). It reads what protobuf's own
 * {@code CodedInputStream} reads, the same way, but is reset to new bytes instead of being
 * allocated per record; anything malformed is {@link Malformed}, and the caller decides what that
 * means (the generated parser's verdict, or a format error).
 */
final class WireReader {
    /** The bytes are not well-formed protobuf (or not of the shape the caller takes). */
    static final class Malformed extends Exception {
        static final Malformed INSTANCE = new Malformed();

        private Malformed() {
            super(null, null, false, false);
        }
    }

    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int START_GROUP = 3;
    static final int END_GROUP = 4;
    static final int FIXED32 = 5;
    /** How deep groups may nest, as protobuf's default recursion limit. */
    private static final int MAX_DEPTH = 100;

    private byte[] bytes;
    private int position;
    private int limit;

    /** Reads {@code bytes[offset, offset + length)} from now on. */
    WireReader reset(byte[] bytes, int offset, int length) {
        this.bytes = bytes;
        this.position = offset;
        this.limit = offset + length;
        return this;
    }

    /** The next field's tag, or 0 at the end of the current message. */
    int tag() throws Malformed {
        if (position == limit) {
            return 0;
        }
        int tag = varint32();
        if (tag >>> 3 == 0) {
            throw Malformed.INSTANCE; // field number 0 is invalid
        }
        return tag;
    }

    static int fieldNumber(int tag) {
        return tag >>> 3;
    }

    static int wireType(int tag) {
        return tag & 7;
    }

    /** A varint of up to ten bytes, as {@code readRawVarint64} reads it. */
    long varint64() throws Malformed {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position == limit) {
                throw Malformed.INSTANCE;
            }
            byte b = bytes[position++];
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw Malformed.INSTANCE; // a tenth byte with its continuation bit set
    }

    /** A varint truncated to 32 bits, as {@code readRawVarint32} reads it. */
    int varint32() throws Malformed {
        return (int) varint64();
    }

    /** The length of a length-delimited field, checked against what is left of the current message. */
    int length() throws Malformed {
        int length = varint32();
        if (length < 0 || length > limit - position) {
            throw Malformed.INSTANCE;
        }
        return length;
    }

    /** Enters a nested message of {@code length} bytes: returns the limit to give {@link #leave}. */
    int enter(int length) {
        int outer = limit;
        limit = position + length;
        return outer;
    }

    /** Leaves a nested message read to its end. */
    void leave(int outerLimit) {
        limit = outerLimit;
    }

    /** Skips {@code length} bytes (already checked by {@link #length}); returns where they start. */
    int skip(int length) {
        int at = position;
        position += length;
        return at;
    }

    /** Skips the field of {@code tag}, whatever its wire type, as {@code CodedInputStream.skipField} does. */
    void skipField(int tag) throws Malformed {
        skipField(tag, 0);
    }

    private void skipField(int tag, int depth) throws Malformed {
        switch (wireType(tag)) {
            case VARINT -> varint64();
            case FIXED64 -> fixed(8);
            case LENGTH_DELIMITED -> skip(length());
            case START_GROUP -> {
                if (depth >= MAX_DEPTH) {
                    throw Malformed.INSTANCE;
                }
                for (int inner = tag(); ; inner = tag()) {
                    if (inner == 0) {
                        throw Malformed.INSTANCE; // the group never ends
                    }
                    if (wireType(inner) == END_GROUP) {
                        if (fieldNumber(inner) != fieldNumber(tag)) {
                            throw Malformed.INSTANCE;
                        }
                        return;
                    }
                    skipField(inner, depth + 1);
                }
            }
            case FIXED32 -> fixed(4);
            default -> throw Malformed.INSTANCE; // an end-group tag with no group, or no wire type at all
        }
    }

    private void fixed(int length) throws Malformed {
        if (length > limit - position) {
            throw Malformed.INSTANCE;
        }
        position += length;
    }

    byte[] bytes() {
        return bytes;
    }
}
