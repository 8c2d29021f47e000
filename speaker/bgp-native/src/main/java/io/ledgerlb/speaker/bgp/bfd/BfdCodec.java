package io.ledgerlb.speaker.bgp.bfd;

import java.nio.ByteBuffer;

/**
 * Parser and serializer of BFD Control packets (RFC 5880 §4.1). The parser applies the checks
 * of §6.8.6 that need no session and never throws: a datagram is either a packet or a
 * {@link BfdDecoded.Discarded} naming the check it failed. This speaker uses no authentication,
 * so an authenticated packet is discarded (§6.8.6: "If the A bit is set and no authentication is
 * in use"); its section is still checked first, so an unknown type is told apart.
 */
public final class BfdCodec {
    private static final int POLL = 0x20;
    private static final int FINAL = 0x10;
    private static final int CPI = 0x08;
    private static final int AUTH = 0x04;
    private static final int DEMAND = 0x02;
    private static final int MULTIPOINT = 0x01;
    /** With the A bit, the length covers at least the auth type and auth len octets. */
    private static final int MIN_LENGTH_WITH_AUTH = 26;

    private BfdCodec() {
    }

    public static byte[] encode(BfdControlPacket p) {
        ByteBuffer out = ByteBuffer.allocate(BfdControlPacket.LENGTH);
        out.put((byte) (BfdControlPacket.VERSION << 5 | p.diag()));
        int flags = p.state().code() << 6 | (p.poll() ? POLL : 0) | (p.fin() ? FINAL : 0) | (p.cpi() ? CPI : 0)
                | (p.demand() ? DEMAND : 0);
        out.put((byte) flags);
        out.put((byte) p.detectMult());
        out.put((byte) BfdControlPacket.LENGTH);
        out.putInt((int) p.myDiscriminator());
        out.putInt((int) p.yourDiscriminator());
        out.putInt((int) p.desiredMinTxMicros());
        out.putInt((int) p.requiredMinRxMicros());
        out.putInt((int) p.requiredMinEchoRxMicros());
        return out.array();
    }

    public static BfdDecoded decode(byte[] datagram) {
        return decode(datagram, datagram.length);
    }

    /** Decodes the first {@code size} bytes of {@code datagram}. */
    public static BfdDecoded decode(byte[] datagram, int size) {
        if (size < 4) {
            return discard(BfdDiscard.TOO_SHORT, size + " bytes");
        }
        int version = (datagram[0] & 0xFF) >>> 5;
        if (version != BfdControlPacket.VERSION) {
            return discard(BfdDiscard.BAD_VERSION, "version " + version);
        }
        int flags = datagram[1] & 0xFF;
        boolean auth = (flags & AUTH) != 0;
        int length = datagram[3] & 0xFF;
        if (length < (auth ? MIN_LENGTH_WITH_AUTH : BfdControlPacket.LENGTH)) {
            return discard(BfdDiscard.TOO_SHORT, "length " + length + (auth ? " with the A bit" : ""));
        }
        if (length > size) {
            return discard(BfdDiscard.LENGTH_EXCEEDS_PAYLOAD, "length " + length + ", datagram " + size + " bytes");
        }
        ByteBuffer in = ByteBuffer.wrap(datagram, 0, length);
        int detectMult = datagram[2] & 0xFF;
        if (detectMult == 0) {
            return discard(BfdDiscard.ZERO_DETECT_MULT, "");
        }
        if ((flags & MULTIPOINT) != 0) {
            return discard(BfdDiscard.MULTIPOINT, "");
        }
        long myDiscriminator = Integer.toUnsignedLong(in.getInt(4));
        long yourDiscriminator = Integer.toUnsignedLong(in.getInt(8));
        BfdState state = BfdState.of(flags >>> 6);
        if (myDiscriminator == 0) {
            return discard(BfdDiscard.ZERO_MY_DISCRIMINATOR, "");
        }
        if (yourDiscriminator == 0 && (state == BfdState.INIT || state == BfdState.UP)) {
            return discard(BfdDiscard.ZERO_YOUR_DISCRIMINATOR, "state " + state);
        }
        if (auth) {
            return authDiscard(datagram[24] & 0xFF, datagram[25] & 0xFF, length - BfdControlPacket.LENGTH);
        }
        return new BfdDecoded.Accepted(new BfdControlPacket(datagram[0] & 0x1F, state, (flags & POLL) != 0,
                (flags & FINAL) != 0, (flags & CPI) != 0, (flags & DEMAND) != 0, detectMult, myDiscriminator,
                yourDiscriminator, Integer.toUnsignedLong(in.getInt(12)), Integer.toUnsignedLong(in.getInt(16)),
                Integer.toUnsignedLong(in.getInt(20))));
    }

    /** The authentication section (RFC 5880 §4.2-4.4): its type, and whether its length fits the type. */
    private static BfdDecoded authDiscard(int type, int authLength, int room) {
        boolean lengthOk = switch (type) {
            case 1 -> authLength >= 4 && authLength <= 19;        // simple password, 1-16 octets
            case 2, 3 -> authLength == 24;                        // (meticulous) keyed MD5
            case 4, 5 -> authLength == 28;                        // (meticulous) keyed SHA1
            default -> true;
        };
        if (type < 1 || type > 5) {
            return discard(BfdDiscard.UNKNOWN_AUTH_TYPE, "auth type " + type);
        }
        if (!lengthOk || authLength > room) {
            return discard(BfdDiscard.BAD_AUTH_LENGTH, "auth type " + type + ", auth len " + authLength);
        }
        return discard(BfdDiscard.AUTH_NOT_CONFIGURED, "auth type " + type);
    }

    private static BfdDecoded discard(BfdDiscard reason, String detail) {
        return new BfdDecoded.Discarded(reason, detail);
    }
}
