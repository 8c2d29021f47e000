package io.ledgerlb.ledger.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.SealedEvent;
import io.ledgerlb.ledger.testing.SampleEvents;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link LedgerEntry} reads and writes the {@code SealedEvent} wrapper by hand; these tests hold
 * it to what the generated protobuf code does, on valid entries and on many damaged ones.
 */
class SealedEventWireTest {

    /** The generated code's answer, as the ledger decoded entries before the hand-written reader. */
    private static LedgerEntry decodeWithGeneratedCode(byte[] sealedBytes) throws LedgerFormatException {
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

    static List<LedgerEntry> chain() {
        List<LedgerEntry> entries = new ArrayList<>();
        byte[] prev = HashChain.GENESIS;
        long sequence = 0;
        for (Event body : SampleEvents.assignments(0, 20)) {
            LedgerEntry entry = LedgerEntry.seal(body.toBuilder().setSequence(++sequence)
                    .setPrevHash(ByteString.copyFrom(prev)).setActor("test").build());
            entries.add(entry);
            prev = entry.hash();
        }
        return entries;
    }

    @Test
    void encodesExactlyAsTheGeneratedCode() {
        List<LedgerEntry> entries = new ArrayList<>(chain());
        // proto3 leaves empty fields out; the hand-written encoder must too
        entries.add(new LedgerEntry(Event.getDefaultInstance(), new byte[0], new byte[32]));
        entries.add(new LedgerEntry(Event.getDefaultInstance(), new byte[300], new byte[0]));
        for (LedgerEntry entry : entries) {
            byte[] generated = SealedEvent.newBuilder()
                    .setEvent(ByteString.copyFrom(entry.eventBytes()))
                    .setHash(ByteString.copyFrom(entry.hash()))
                    .build().toByteArray();
            assertThat(entry.encode()).as("entry %s", entry.event().getSequence()).isEqualTo(generated);
        }
    }

    @Test
    void decodesValidEntriesAsTheGeneratedCode() throws Exception {
        for (LedgerEntry entry : chain()) {
            LedgerEntry decoded = LedgerEntry.decode(entry.encode());
            assertThat(decoded).isEqualTo(decodeWithGeneratedCode(entry.encode()));
            assertThat(decoded.event()).isEqualTo(entry.event());
            assertThat(decoded.hashValid()).isTrue();
        }
    }

    @Test
    void readsFieldsInAnyOrderWithRepeatsAndUnknownFields() throws Exception {
        LedgerEntry entry = chain().get(3);
        LedgerEntry other = chain().get(4);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeByteArray(SealedEvent.HASH_FIELD_NUMBER, other.hash());
        out.writeUInt64(7, 42);                                   // unknown varint field
        out.writeByteArray(SealedEvent.EVENT_FIELD_NUMBER, other.eventBytes());
        out.writeByteArray(9, new byte[] {1, 2, 3});              // unknown bytes field
        out.writeByteArray(SealedEvent.EVENT_FIELD_NUMBER, entry.eventBytes()); // the last one wins
        out.writeFixed32(SealedEvent.HASH_FIELD_NUMBER, 5);        // wrong wire type: an unknown field
        out.writeFixed64(10, 6);                                   // unknown fixed64 field
        out.writeTag(11, 3);                                       // an unknown group, nested, with fields inside
        out.writeUInt64(1, 1);
        out.writeTag(12, 3);
        out.writeByteArray(2, new byte[] {4});
        out.writeTag(12, 4);
        out.writeTag(11, 4);
        out.writeByteArray(SealedEvent.HASH_FIELD_NUMBER, entry.hash());
        out.flush();

        LedgerEntry decoded = LedgerEntry.decode(bytes.toByteArray());

        assertThat(decoded).isEqualTo(entry);
        assertThat(decoded).isEqualTo(decodeWithGeneratedCode(bytes.toByteArray()));
    }

    /** Damaged bytes: both readers reject them, or both read the same entry. */
    @Test
    void agreesWithTheGeneratedCodeOnDamagedBytes() {
        Random random = new Random(20261202);
        List<LedgerEntry> entries = chain();
        int rejected = 0;
        for (int i = 0; i < 10_000; i++) {
            byte[] damaged = damage(entries.get(random.nextInt(entries.size())).encode(), random);
            LedgerEntry expected;
            try {
                expected = decodeWithGeneratedCode(damaged);
            } catch (LedgerFormatException e) {
                expected = null;
                rejected++;
            }
            LedgerEntry actual;
            try {
                actual = LedgerEntry.decode(damaged);
            } catch (LedgerFormatException e) {
                actual = null;
            }
            assertThat(actual).as("bytes %s", Arrays.toString(damaged)).isEqualTo(expected);
            if (expected != null) {
                assertThat(actual.event()).isEqualTo(expected.event());
            }
        }
        // the damage must have produced both outcomes, or the comparison proves little
        assertThat(rejected).isBetween(500, 9_500);
    }

    static byte[] damage(byte[] sealed, Random random) {
        byte[] bytes = sealed.clone();
        switch (random.nextInt(5)) {
            case 0 -> bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
            case 1 -> bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            case 2 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
            case 3 -> {
                // a few random bytes appended: often a valid unknown field, sometimes garbage
                byte[] tail = new byte[1 + random.nextInt(4)];
                random.nextBytes(tail);
                tail[0] = (byte) (random.nextInt(16) << 3 | random.nextInt(8));
                bytes = concat(bytes, tail);
            }
            default -> {
                // the first bytes flipped, where the wrapper's tags and lengths sit
                int at = random.nextInt(Math.min(4, bytes.length));
                bytes[at] = (byte) random.nextInt(256);
            }
        }
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }
}
