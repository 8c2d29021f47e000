package io.ledgerlb.speaker.bgp.codec;

import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.OPEN_MESSAGE_ERROR;
import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.UNACCEPTABLE_HOLD_TIME;
import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.UNSUPPORTED_OPTIONAL_PARAMETER;
import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.UNSUPPORTED_VERSION;

import java.util.ArrayList;
import java.util.List;

/** OPEN's parser and serializer (RFC 4271 §4.2, capabilities per RFC 5492). */
final class OpenCodec {
    private static final int CAPABILITIES_PARAMETER = 2;
    private static final int GR_RESTARTED = 0x8000;
    private static final int GR_FORWARDING = 0x80;

    private OpenCodec() {
    }

    static OpenMessage decode(Cursor body) throws BgpDecodeException, Cursor.Overrun {
        int version = body.u8();
        if (version != 4) {
            throw new BgpDecodeException(OPEN_MESSAGE_ERROR, UNSUPPORTED_VERSION, new byte[]{0, 4},
                    "unsupported BGP version " + version);
        }
        int myAs = body.u16();
        int holdTime = body.u16();
        if (holdTime == 1 || holdTime == 2) {
            throw new BgpDecodeException(OPEN_MESSAGE_ERROR, UNACCEPTABLE_HOLD_TIME, "hold time " + holdTime);
        }
        byte[] id = body.bytes(4);
        int parametersLength = body.u8();
        if (parametersLength != body.remaining()) {
            throw malformed("optional parameters length " + parametersLength + " but " + body.remaining() + " bytes");
        }
        List<Capability> capabilities = new ArrayList<>();
        while (body.remaining() > 0) {
            int type = body.u8();
            int length = body.u8();
            if (length > body.remaining()) {
                throw malformed("optional parameter overruns the message");
            }
            Cursor parameter = body.slice(length);
            if (type != CAPABILITIES_PARAMETER) {
                throw new BgpDecodeException(OPEN_MESSAGE_ERROR, UNSUPPORTED_OPTIONAL_PARAMETER,
                        "optional parameter type " + type);
            }
            while (parameter.remaining() > 0) {
                int code = parameter.u8();
                int capabilityLength = parameter.u8();
                if (capabilityLength > parameter.remaining()) {
                    throw malformed("capability " + code + " overruns its parameter");
                }
                capabilities.add(capability(code, parameter.slice(capabilityLength)));
            }
        }
        return new OpenMessage(version, myAs, holdTime, Bytes.ipv4(id), capabilities);
    }

    private static Capability capability(int code, Cursor value) throws BgpDecodeException, Cursor.Overrun {
        int length = value.remaining();
        Capability capability = switch (code) {
            case Capability.MULTIPROTOCOL -> length != 4 ? null
                    : mp(value.u16(), value.u8(), value.u8());
            case Capability.ROUTE_REFRESH -> length != 0 ? null : new Capability.RouteRefresh();
            case Capability.FOUR_OCTET_AS -> length != 4 ? null : new Capability.FourOctetAs(value.u32());
            case Capability.GRACEFUL_RESTART -> length % 4 != 2 ? null : gracefulRestart(value);
            default -> new Capability.Unknown(code, value.bytes(length));
        };
        if (capability == null) {
            throw malformed("capability " + code + " has a bad length " + length);
        }
        return capability;
    }

    private static Capability mp(int afi, int reserved, int safi) {
        return new Capability.Multiprotocol(new AddressFamily(afi, safi));
    }

    private static Capability gracefulRestart(Cursor value) throws Cursor.Overrun {
        int flagsAndTime = value.u16();
        List<Capability.GracefulFamily> families = new ArrayList<>();
        while (value.remaining() > 0) {
            AddressFamily family = new AddressFamily(value.u16(), value.u8());
            families.add(new Capability.GracefulFamily(family, (value.u8() & GR_FORWARDING) != 0));
        }
        return new Capability.GracefulRestart((flagsAndTime & GR_RESTARTED) != 0, flagsAndTime & 0x0FFF, families);
    }

    private static BgpDecodeException malformed(String why) {
        return new BgpDecodeException(OPEN_MESSAGE_ERROR, 0, why);
    }

    static void encode(OpenMessage open, Bytes body) {
        Bytes capabilities = new Bytes();
        for (Capability c : open.capabilities()) {
            Bytes value = new Bytes();
            if (c instanceof Capability.Multiprotocol mp) {
                value.u16(mp.family().afi()).u8(0).u8(mp.family().safi());
            } else if (c instanceof Capability.FourOctetAs as4) {
                value.u32(as4.asn());
            } else if (c instanceof Capability.GracefulRestart gr) {
                value.u16((gr.restarted() ? GR_RESTARTED : 0) | (gr.restartTime() & 0x0FFF));
                for (Capability.GracefulFamily f : gr.families()) {
                    value.u16(f.family().afi()).u8(f.family().safi()).u8(f.forwardingPreserved() ? GR_FORWARDING : 0);
                }
            } else if (c instanceof Capability.Unknown u) {
                value.bytes(u.value());
            }
            capabilities.u8(c.code()).u8(value.size()).bytes(value.toArray());
        }
        body.u8(open.version()).u16(open.myAs()).u16(open.holdTime()).bytes(open.bgpId().getAddress());
        if (capabilities.size() == 0) {
            body.u8(0);
        } else {
            body.u8(capabilities.size() + 2).u8(CAPABILITIES_PARAMETER).u8(capabilities.size()).bytes(capabilities.toArray());
        }
    }
}
