package io.ledgerlb.ledger.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import io.ledgerlb.events.v1.Cause;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.IpReleased;
import io.ledgerlb.events.v1.ReleaseReason;
import io.ledgerlb.events.v1.ServicePort;
import io.ledgerlb.events.v1.ServiceRef;
import io.ledgerlb.ledger.testing.SampleEvents;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link EventDecoder} must give exactly what the generated parser gives, on any input. */
class EventDecoderTest {
    private static final Random RANDOM = new Random(11);

    private static Event full(boolean assigned, String text) {
        Event.Builder event = Event.newBuilder().setSequence(RANDOM.nextLong() & Long.MAX_VALUE)
                .setTime(Timestamp.newBuilder().setSeconds(RANDOM.nextLong()).setNanos(RANDOM.nextInt()))
                .setActor("allocator-" + text)
                .setCause(Cause.newBuilder().setKind("Service").setNamespace("ns").setName(text).setUid("u")
                        .setResourceVersion("12").setReason("ServiceCreated").setMessage("m " + text))
                .setPrevHash(ByteString.copyFrom(new byte[32]));
        ServiceRef service = ServiceRef.newBuilder().setNamespace("ns").setName(text).setUid("uid").build();
        if (assigned) {
            event.setIpAssigned(IpAssigned.newBuilder().setService(service).setIp("10.0.0.1").setPool("p")
                    .setSharingKey("k").addPorts(ServicePort.newBuilder().setProtocol("TCP").setPort(80))
                    .addPorts(ServicePort.newBuilder().setProtocol("UDP").setPort(65535))
                    .setBackendKey("b").setTrafficPolicyLocal(true));
        } else {
            event.setIpReleased(IpReleased.newBuilder().setService(service).setIp("fd00::1").setPool("p")
                    .setReason(ReleaseReason.SERVICE_DELETED));
        }
        return event.build();
    }

    private static List<byte[]> samples() {
        List<byte[]> samples = new ArrayList<>();
        for (Event event : SampleEvents.assignments(0, 5)) {
            samples.add(event.toByteArray());
        }
        samples.add(SampleEvents.release("a", "10.0.0.1").toByteArray());
        samples.add(SampleEvents.pool("p", "10.0.0.0/24").toByteArray()); // another body: the generated parser's
        samples.add(full(true, "svc").toByteArray());
        samples.add(full(false, "svc").toByteArray());
        samples.add(full(true, "sérvice").toByteArray()); // beyond ASCII
        samples.add(full(false, "").toByteArray());
        samples.add(Event.getDefaultInstance().toByteArray());
        samples.add(Event.newBuilder().setIpAssigned(IpAssigned.getDefaultInstance()).build().toByteArray());
        samples.add(Event.newBuilder().setIpReleased(IpReleased.newBuilder().setReasonValue(77)).build().toByteArray());
        samples.add(Event.newBuilder().setTime(Timestamp.getDefaultInstance()).setCause(Cause.getDefaultInstance())
                .build().toByteArray());
        return samples;
    }

    private static void assertSameAsGenerated(byte[] bytes, int offset, int length) {
        Event generated;
        try {
            generated = Event.parser().parseFrom(bytes, offset, length);
        } catch (InvalidProtocolBufferException e) {
            assertThatThrownBy(() -> EventDecoder.decode(bytes, offset, length))
                    .as("%s", Arrays.toString(Arrays.copyOfRange(bytes, offset, offset + length)))
                    .isInstanceOf(InvalidProtocolBufferException.class);
            return;
        }
        try {
            assertThat(EventDecoder.decode(bytes, offset, length)).isEqualTo(generated);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("the generated parser read it, the decoder refused it", e);
        }
    }

    @Test
    void decodesWhatTheGeneratedParserDecodes() {
        for (byte[] sample : samples()) {
            assertSameAsGenerated(sample, 0, sample.length);
            byte[] inside = new byte[sample.length + 7]; // at an offset, inside a larger array (a sealed entry)
            System.arraycopy(sample, 0, inside, 3, sample.length);
            assertSameAsGenerated(inside, 3, sample.length);
        }
    }

    @Test
    void readsTheLedgersBulkByHand() {
        for (Event event : List.of(full(true, "svc"), full(false, ""), SampleEvents.assign("a", "10.0.0.1"))) {
            byte[] bytes = event.toByteArray();
            assertThat(EventDecoder.byHand(bytes, 0, bytes.length)).isEqualTo(event);
        }
        byte[] other = full(true, "sérvice").toByteArray();
        assertThat(EventDecoder.byHand(other, 0, other.length)).isNull();
    }

    @Test
    void everyEventNamingAPoolOrNamespaceSharesOneStringForIt() throws Exception {
        byte[] first = full(true, "a").toByteArray();
        byte[] second = full(false, "b").toByteArray();
        Event[] fromAnotherThread = new Event[1];
        Thread other = new Thread(() -> fromAnotherThread[0] = EventDecoder.byHand(second, 0, second.length));
        other.start();
        other.join();
        Event assigned = EventDecoder.byHand(first, 0, first.length);
        Event released = EventDecoder.byHand(second, 0, second.length);
        assertThat(assigned.getIpAssigned().getPool()).isSameAs(released.getIpReleased().getPool())
                .isSameAs(fromAnotherThread[0].getIpReleased().getPool()).isEqualTo("p");
        assertThat(assigned.getIpAssigned().getService().getNamespace())
                .isSameAs(fromAnotherThread[0].getIpReleased().getService().getNamespace()).isEqualTo("ns");
        assertThat(assigned.getIpAssigned().getService().getName()).isEqualTo("a"); // names of Services are not kept
    }

    @Test
    void unknownRepeatedAndMistypedFieldsGiveTheGeneratedAnswer() throws Exception {
        byte[] base = full(true, "svc").toByteArray();
        List<byte[]> variants = new ArrayList<>();
        variants.add(concat(base, field(99, "from a newer version"))); // unknown at the top
        variants.add(concat(base, Event.newBuilder().setIpAssigned(IpAssigned.newBuilder().setIp("10.0.0.2")).build()
                .toByteArray())); // the body again: protobuf merges it
        variants.add(concat(base, Event.newBuilder().setSequence(5).build().toByteArray())); // last one wins
        variants.add(concat(base, Event.newBuilder().setIpReleased(IpReleased.newBuilder().setIp("x")).build()
                .toByteArray())); // another body after: it wins
        byte[] unknownInBody = concat(IpAssigned.newBuilder().setIp("10.0.0.3").build().toByteArray(), field(42, "x"));
        variants.add(concat(tagged(Event.IP_ASSIGNED_FIELD_NUMBER, unknownInBody)));
        ByteArrayOutputStream mistyped = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(mistyped);
        out.writeString(Event.SEQUENCE_FIELD_NUMBER, "not a varint");
        out.flush();
        variants.add(mistyped.toByteArray());
        for (byte[] variant : variants) {
            assertSameAsGenerated(variant, 0, variant.length);
        }
    }

    @Test
    void damagedBytesAreRefusedOrReadAsTheGeneratedParserDoes() {
        for (byte[] sample : samples()) {
            for (int cut = 0; cut < sample.length; cut++) {
                assertSameAsGenerated(sample, 0, cut);
            }
            for (int i = 0; i < 300; i++) {
                byte[] damaged = sample.clone();
                if (damaged.length > 0) {
                    damaged[RANDOM.nextInt(damaged.length)] ^= (byte) (1 << RANDOM.nextInt(8));
                }
                assertSameAsGenerated(damaged, 0, damaged.length);
            }
        }
        byte[] badUtf8 = tagged(Event.ACTOR_FIELD_NUMBER, new byte[] {(byte) 0xC3, (byte) 0x28});
        assertSameAsGenerated(badUtf8, 0, badUtf8.length);
    }

    @Test
    void varintsOfEveryLengthAndOverlongOnesAreReadAsTheGeneratedParserReadsThem() {
        List<byte[]> variants = new ArrayList<>();
        for (long value : new long[] {0, 1, 127, 128, -1, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE, 1L << 35}) {
            variants.add(full(true, "v").toBuilder().setSequence(value)
                    .setTime(Timestamp.newBuilder().setSeconds(value).setNanos((int) value)).build().toByteArray());
        }
        // a sequence written with redundant continuation bytes (valid up to ten bytes), and eleven bytes (malformed)
        for (int length = 1; length <= 11; length++) {
            byte[] varint = new byte[length];
            Arrays.fill(varint, (byte) 0x81);
            varint[length - 1] = 0x01;
            variants.add(concat(new byte[] {(byte) (Event.SEQUENCE_FIELD_NUMBER << 3)}, varint,
                    full(false, "w").toBuilder().clearSequence().build().toByteArray()));
        }
        // a group skipped inside a sealed entry is not the decoder's: an unknown group here goes to the generated parser
        variants.add(concat(full(true, "g").toByteArray(), new byte[] {(byte) (40 << 3 | 3), 8, 1, (byte) (40 << 3 | 4)}));
        for (byte[] variant : variants) {
            assertSameAsGenerated(variant, 0, variant.length);
        }
    }

    private static byte[] field(int number, String value) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeString(number, value);
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] tagged(int number, byte[] value) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.writeByteArray(number, value);
            out.flush();
            return bytes.toByteArray();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
