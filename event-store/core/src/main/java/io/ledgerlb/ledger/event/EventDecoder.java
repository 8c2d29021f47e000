package io.ledgerlb.ledger.event;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import io.ledgerlb.events.v1.Cause;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.IpReleased;
import io.ledgerlb.events.v1.ServicePort;
import io.ledgerlb.events.v1.ServiceRef;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Decodes an {@code Event} — the ledger's bulk, {@code IpAssigned} and {@code IpReleased}, by
 * hand; everything else with the generated parser. The generated parser goes through a builder
 * per nested message, an unknown-field set and a UTF-8 decoder that copies every string twice:
 * more than half of replaying a ledger's CPU and garbage. The hand-written path takes only the
 * exact shape it knows — each field once, with its own wire type, ASCII strings — and hands any
 * other input (an unknown or repeated field, a non-ASCII string, another body, damaged bytes) to
 * the generated parser, so the result is always what that parser gives ({@code EventDecoderTest}).
 * Each thread keeps one reader, its builders included (an {@code Event.Builder}, with a field per
 * kind of body, was the largest object allocated per replayed entry).
 */
final class EventDecoder {
    private static final ThreadLocal<Reader> READERS = ThreadLocal.withInitial(Reader::new);

    private EventDecoder() {}

    /** The event serialized at {@code bytes[offset, offset + length)}, exactly as {@code Event.parseFrom} reads it. */
    static Event decode(byte[] bytes, int offset, int length) throws InvalidProtocolBufferException {
        Event event = byHand(bytes, offset, length);
        return event != null ? event : Event.parser().parseFrom(bytes, offset, length);
    }

    /** The event read by the hand-written path, or null when the generated parser must decide. */
    static Event byHand(byte[] bytes, int offset, int length) {
        try {
            return READERS.get().event(bytes, offset, length);
        } catch (WireReader.Malformed | RuntimeException e) {
            return null;
        }
    }

    /** One thread's reader; its builders are cleared before each use, so one that stopped half-way leaves nothing behind. */
    private static final class Reader {
        private static final WireReader.Malformed NOT_SIMPLE = WireReader.Malformed.INSTANCE;
        private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

        private final WireReader in = new WireReader();
        private final Event.Builder event = Event.newBuilder();
        private final Timestamp.Builder time = Timestamp.newBuilder();
        private final Cause.Builder cause = Cause.newBuilder();
        private final IpAssigned.Builder assigned = IpAssigned.newBuilder();
        private final IpReleased.Builder released = IpReleased.newBuilder();
        private final ServiceRef.Builder service = ServiceRef.newBuilder();
        private final ServicePort.Builder port = ServicePort.newBuilder();

        Event event(byte[] bytes, int offset, int length) throws WireReader.Malformed {
            in.reset(bytes, offset, length);
            Event.Builder event = this.event.clear();
            int seen = 0;
            for (int tag = in.tag(); tag != 0; tag = in.tag()) {
                int field = WireReader.fieldNumber(tag);
                seen = once(seen, field);
                switch (field) {
                    case Event.SEQUENCE_FIELD_NUMBER -> event.setSequence(varint(tag).varint64());
                    case Event.TIME_FIELD_NUMBER -> event.setTime(timestamp(message(tag)));
                    case Event.ACTOR_FIELD_NUMBER -> event.setActor(name(tag));
                    case Event.CAUSE_FIELD_NUMBER -> event.setCause(cause(message(tag)));
                    case Event.PREV_HASH_FIELD_NUMBER -> event.setPrevHash(bytesField(tag));
                    case Event.IP_ASSIGNED_FIELD_NUMBER -> event.setIpAssigned(ipAssigned(message(tag)));
                    case Event.IP_RELEASED_FIELD_NUMBER -> event.setIpReleased(ipReleased(message(tag)));
                    default -> throw NOT_SIMPLE;
                }
            }
            return event.build();
        }

        /** The last time decoded: a transaction's events share theirs, and a Timestamp never changes. */
        private Timestamp lastTime = Timestamp.getDefaultInstance();

        private Timestamp timestamp(int outer) throws WireReader.Malformed {
            long seconds = 0;
            int nanos = 0;
            int seen = 0;
            for (int tag = in.tag(); tag != 0; tag = in.tag()) {
                int field = WireReader.fieldNumber(tag);
                seen = once(seen, field);
                switch (field) {
                    case Timestamp.SECONDS_FIELD_NUMBER -> seconds = varint(tag).varint64();
                    case Timestamp.NANOS_FIELD_NUMBER -> nanos = varint(tag).varint32();
                    default -> throw NOT_SIMPLE;
                }
            }
            in.leave(outer);
            if (seconds != lastTime.getSeconds() || nanos != lastTime.getNanos()) {
                lastTime = time.clear().setSeconds(seconds).setNanos(nanos).build();
            }
            return lastTime;
        }

        private Cause cause(int outer) throws WireReader.Malformed {
            Cause.Builder cause = this.cause.clear();
            int seen = 0;
            for (int tag = in.tag(); tag != 0; tag = in.tag()) {
                int field = WireReader.fieldNumber(tag);
                seen = once(seen, field);
                switch (field) {
                    case Cause.KIND_FIELD_NUMBER -> cause.setKind(name(tag));
                    case Cause.NAMESPACE_FIELD_NUMBER -> cause.setNamespace(string(tag));
                    case Cause.NAME_FIELD_NUMBER -> cause.setName(string(tag));
                    case Cause.UID_FIELD_NUMBER -> cause.setUid(string(tag));
                    case Cause.RESOURCE_VERSION_FIELD_NUMBER -> cause.setResourceVersion(string(tag));
                    case Cause.REASON_FIELD_NUMBER -> cause.setReason(name(tag));
                    case Cause.MESSAGE_FIELD_NUMBER -> cause.setMessage(string(tag));
                    default -> throw NOT_SIMPLE;
                }
            }
            in.leave(outer);
            return cause.build();
        }

        private IpAssigned ipAssigned(int outer) throws WireReader.Malformed {
            IpAssigned.Builder assigned = this.assigned.clear();
            int seen = 0;
            for (int tag = in.tag(); tag != 0; tag = in.tag()) {
                int field = WireReader.fieldNumber(tag);
                if (field != IpAssigned.PORTS_FIELD_NUMBER) {
                    seen = once(seen, field);
                }
                switch (field) {
                    case IpAssigned.SERVICE_FIELD_NUMBER -> assigned.setService(service(message(tag)));
                    case IpAssigned.IP_FIELD_NUMBER -> assigned.setIp(string(tag));
                    case IpAssigned.POOL_FIELD_NUMBER -> assigned.setPool(name(tag));
                    case IpAssigned.SHARING_KEY_FIELD_NUMBER -> assigned.setSharingKey(string(tag));
                    case IpAssigned.PORTS_FIELD_NUMBER -> assigned.addPorts(port(message(tag)));
                    case IpAssigned.BACKEND_KEY_FIELD_NUMBER -> assigned.setBackendKey(string(tag));
                    case IpAssigned.TRAFFIC_POLICY_LOCAL_FIELD_NUMBER -> assigned.setTrafficPolicyLocal(varint(tag).varint64() != 0);
                    default -> throw NOT_SIMPLE;
                }
            }
            in.leave(outer);
            return assigned.build();
        }

        private IpReleased ipReleased(int outer) throws WireReader.Malformed {
            IpReleased.Builder released = this.released.clear();
            int seen = 0;
            for (int tag = in.tag(); tag != 0; tag = in.tag()) {
                int field = WireReader.fieldNumber(tag);
                seen = once(seen, field);
                switch (field) {
                    case IpReleased.SERVICE_FIELD_NUMBER -> released.setService(service(message(tag)));
                    case IpReleased.IP_FIELD_NUMBER -> released.setIp(string(tag));
                    case IpReleased.POOL_FIELD_NUMBER -> released.setPool(name(tag));
                    case IpReleased.REASON_FIELD_NUMBER -> released.setReasonValue(varint(tag).varint32());
                    default -> throw NOT_SIMPLE;
                }
            }
            in.leave(outer);
            return released.build();
        }

        private ServiceRef service(int outer) throws WireReader.Malformed {
            ServiceRef.Builder service = this.service.clear();
            int seen = 0;
            for (int tag = in.tag(); tag != 0; tag = in.tag()) {
                int field = WireReader.fieldNumber(tag);
                seen = once(seen, field);
                switch (field) {
                    case ServiceRef.NAMESPACE_FIELD_NUMBER -> service.setNamespace(name(tag));
                    case ServiceRef.NAME_FIELD_NUMBER -> service.setName(string(tag));
                    case ServiceRef.UID_FIELD_NUMBER -> service.setUid(string(tag));
                    default -> throw NOT_SIMPLE;
                }
            }
            in.leave(outer);
            return service.build();
        }

        private ServicePort port(int outer) throws WireReader.Malformed {
            ServicePort.Builder port = this.port.clear();
            int seen = 0;
            for (int tag = in.tag(); tag != 0; tag = in.tag()) {
                int field = WireReader.fieldNumber(tag);
                seen = once(seen, field);
                switch (field) {
                    case ServicePort.PROTOCOL_FIELD_NUMBER -> port.setProtocol(string(tag));
                    case ServicePort.PORT_FIELD_NUMBER -> port.setPort(varint(tag).varint32());
                    default -> throw NOT_SIMPLE;
                }
            }
            in.leave(outer);
            return port.build();
        }

        /** Marks {@code field} seen; a second occurrence (which protobuf merges or overrides) is not simple. */
        private static int once(int seen, int field) throws WireReader.Malformed {
            if (field < 1 || field > 31 || (seen & (1 << field)) != 0) {
                throw NOT_SIMPLE;
            }
            return seen | (1 << field);
        }

        private WireReader varint(int tag) throws WireReader.Malformed {
            if (WireReader.wireType(tag) != WireReader.VARINT) {
                throw NOT_SIMPLE;
            }
            return in;
        }

        /** Enters a nested message: returns the limit to restore once it is read. */
        private int message(int tag) throws WireReader.Malformed {
            return in.enter(lengthDelimited(tag));
        }

        private int lengthDelimited(int tag) throws WireReader.Malformed {
            if (WireReader.wireType(tag) != WireReader.LENGTH_DELIMITED) {
                throw NOT_SIMPLE;
            }
            return in.length();
        }

        /** A string field, when it is ASCII (one copy, into a compact string); else not simple. */
        private String string(int tag) throws WireReader.Malformed {
            int at = asciiAt(tag);
            return new String(in.bytes(), at, asciiLength, StandardCharsets.ISO_8859_1);
        }

        /** A name of few values (pool, namespace, actor, a cause's kind and reason): as {@link #string}, the String shared by every event that names it. */
        private String name(int tag) throws WireReader.Malformed {
            int at = asciiAt(tag);
            return SharedNames.ascii(in.bytes(), at, asciiLength);
        }

        /** The length of the ASCII string {@link #asciiAt} found last. */
        private int asciiLength;

        /** Where an ASCII string field's bytes start (its length in {@link #asciiLength}); not simple when it is not ASCII. */
        private int asciiAt(int tag) throws WireReader.Malformed {
            int length = lengthDelimited(tag);
            int at = in.skip(length);
            if (!isAscii(in.bytes(), at, length)) {
                throw NOT_SIMPLE; // UTF-8 beyond ASCII: the generated code checks and decodes it
            }
            asciiLength = length;
            return at;
        }

        /** No byte with its high bit set: eight bytes at a time, then the rest. */
        private static boolean isAscii(byte[] bytes, int at, int length) {
            int i = at;
            int end = at + length;
            long highBits = 0;
            for (; i + Long.BYTES <= end; i += Long.BYTES) {
                highBits |= (long) LONGS.get(bytes, i);
            }
            for (; i < end; i++) {
                highBits |= bytes[i];
            }
            return (highBits & 0x8080_8080_8080_8080L) == 0;
        }

        private ByteString bytesField(int tag) throws WireReader.Malformed {
            int length = lengthDelimited(tag);
            return ByteString.copyFrom(in.bytes(), in.skip(length), length);
        }
    }
}
