package io.ledgerlb.speaker.bgp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.net.Community;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpFamily;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.net.LargeCommunity;
import io.ledgerlb.speaker.bgp.codec.PathAttribute.AsPathSegment;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Round trips of every message and attribute, and messages written out byte by byte from the RFC layouts. */
class BgpCodecTest {
    static final String MARKER = "ffffffffffffffffffffffffffffffff";

    static Inet4Address v4(String a) throws Exception {
        return (Inet4Address) InetAddress.getByName(a);
    }

    static byte[] hex(String h) {
        return HexFormat.of().parseHex(h.replace(" ", ""));
    }

    static BgpMessage roundTrip(BgpMessage m, boolean as4) throws Exception {
        BgpMessage back = BgpCodec.decode(BgpCodec.encode(m, as4), as4);
        assertThat(back).isEqualTo(m);
        return back;
    }

    @Test
    void keepaliveIsTheHeaderAlone() throws Exception {
        assertThat(BgpCodec.encode(KeepaliveMessage.INSTANCE, true)).isEqualTo(hex(MARKER + "0013 04"));
        roundTrip(KeepaliveMessage.INSTANCE, true);
    }

    @Test
    void openWithEveryCapabilityRoundTrips() throws Exception {
        OpenMessage open = OpenMessage.of(4_200_000_001L, 90, v4("192.0.2.1"), List.of(
                new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST),
                new Capability.Multiprotocol(AddressFamily.IPV6_UNICAST),
                new Capability.RouteRefresh(),
                new Capability.FourOctetAs(4_200_000_001L),
                new Capability.GracefulRestart(true, 120, List.of(
                        new Capability.GracefulFamily(AddressFamily.IPV4_UNICAST, true),
                        new Capability.GracefulFamily(AddressFamily.IPV6_UNICAST, false))),
                new Capability.Unknown(73, new byte[]{1, 2, 3})));
        OpenMessage back = (OpenMessage) roundTrip(open, false);
        assertThat(back.myAs()).isEqualTo(OpenMessage.AS_TRANS);
        assertThat(back.asn()).isEqualTo(4_200_000_001L);
        assertThat(back.negotiatesFamily(AddressFamily.IPV6_UNICAST)).isTrue();
        assertThat(back.gracefulRestart().orElseThrow().restartTime()).isEqualTo(120);
    }

    @Test
    void openFromTheRfcLayout() throws Exception {
        // version 4, My AS 65001, hold 180, id 10.0.0.1, one capabilities parameter:
        // MP IPv4 unicast (1,4: 0001 00 01), 4-octet AS 65001 (65,4), route refresh (2,0)
        byte[] wire = hex(MARKER + "002d 01" + "04 fde9 00b4 0a000001 10"
                + "02 0e" + "01 04 0001 00 01" + "41 04 0000fde9" + "02 00");
        OpenMessage open = (OpenMessage) BgpCodec.decode(wire, false);
        assertThat(open.myAs()).isEqualTo(65001);
        assertThat(open.holdTime()).isEqualTo(180);
        assertThat(open.bgpId()).isEqualTo(v4("10.0.0.1"));
        assertThat(open.capabilities()).containsExactly(new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST),
                new Capability.FourOctetAs(65001), new Capability.RouteRefresh());
        assertThat(BgpCodec.encode(open, false)).isEqualTo(wire);
    }

    @Test
    void openWithoutCapabilities() throws Exception {
        roundTrip(new OpenMessage(4, 65000, 0, v4("10.0.0.1"), List.of()), true);
    }

    @Test
    void notificationAndRouteRefreshRoundTrip() throws Exception {
        roundTrip(new NotificationMessage(6, 2, new byte[]{1, 2}), true);
        roundTrip(new NotificationMessage(4, 0), true);
        assertThat(BgpCodec.encode(new RouteRefreshMessage(AddressFamily.IPV6_UNICAST), true))
                .isEqualTo(hex(MARKER + "0017 05 0002 00 01"));
        roundTrip(new RouteRefreshMessage(AddressFamily.IPV4_UNICAST), true);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void updateWithEveryAttributeRoundTrips(boolean as4) throws Exception {
        long bigAs = as4 ? 4_200_000_001L : 65010;
        UpdateMessage update = new UpdateMessage(
                List.of(IpPrefix.parse("198.51.100.0/24"), IpPrefix.parse("0.0.0.0/0")),
                List.of(PathAttribute.Origin.IGP,
                        new PathAttribute.AsPath(List.of(new AsPathSegment(AsPathSegment.AS_SEQUENCE, List.of(bigAs, 65001L)),
                                new AsPathSegment(AsPathSegment.AS_SET, List.of(1L, 2L))), false),
                        new PathAttribute.NextHop(IpAddress.parse("10.0.0.1")),
                        new PathAttribute.MultiExitDisc(7),
                        new PathAttribute.LocalPref(200),
                        new PathAttribute.AtomicAggregate(),
                        new PathAttribute.Aggregator(bigAs, v4("10.0.0.9"), false),
                        new PathAttribute.Communities(List.of(new Community(65000, 100), new Community(65535, 65281))),
                        new PathAttribute.MpReach(AddressFamily.IPV6_UNICAST,
                                List.of(IpAddress.parse("2001:db8::1"), IpAddress.parse("fe80::1")),
                                List.of(IpPrefix.parse("2001:db8:1::/48"), IpPrefix.parse("2001:db8::7/128"))),
                        new PathAttribute.MpUnreach(AddressFamily.IPV6_UNICAST, List.of(IpPrefix.parse("2001:db8:2::/64"))),
                        new PathAttribute.AsPath(List.of(new AsPathSegment(AsPathSegment.AS_SEQUENCE, List.of(4_200_000_001L))), true),
                        new PathAttribute.Aggregator(4_200_000_001L, v4("10.0.0.9"), true),
                        new PathAttribute.LargeCommunities(List.of(new LargeCommunity(4_200_000_001L, 1, 2))),
                        new PathAttribute.Unknown(PathAttribute.FLAG_OPTIONAL | PathAttribute.FLAG_TRANSITIVE
                                | PathAttribute.FLAG_PARTIAL, 99, new byte[]{9, 9})),
                List.of(IpPrefix.parse("192.0.2.7/32"), IpPrefix.parse("10.0.0.0/8"), IpPrefix.parse("10.128.0.0/9")));
        roundTrip(update, as4);
    }

    @Test
    void ipv4MappedIpv6NextHopStaysIpv6() throws Exception {
        IpAddress mapped = IpAddress.fromBytes(hex("00000000000000000000ffff0a000001"));
        UpdateMessage update = new UpdateMessage(List.of(), List.of(PathAttribute.Origin.IGP, PathAttribute.AsPath.empty(),
                new PathAttribute.MpReach(AddressFamily.IPV6_UNICAST, List.of(mapped), List.of(IpPrefix.parse("2001:db8::/32")))),
                List.of());
        UpdateMessage back = (UpdateMessage) roundTrip(update, true);
        assertThat(back.attribute(PathAttribute.MpReach.class).orElseThrow().nextHops()).containsExactly(mapped);
        assertThat(mapped.family()).isEqualTo(IpFamily.V6);
        assertThat(mapped).isEqualTo(IpAddress.parse("::ffff:10.0.0.1"));
    }

    @Test
    void updateFromTheRfcLayout() throws Exception {
        // withdrawn: 10.1.0.0/16; attributes: ORIGIN IGP, AS_PATH [65001] (2-octet), NEXT_HOP 10.0.0.1,
        // COMMUNITIES 65000:100; NLRI: 192.0.2.0/24, 192.0.2.7/32
        byte[] wire = hex(MARKER + "003c 02" + "0003 10 0a01" + "0019"
                + "40 01 01 00" + "40 02 04 02 01 fde9" + "40 03 04 0a000001" + "c0 08 04 fde80064"
                + "18 c00002" + "20 c0000207");
        UpdateMessage update = (UpdateMessage) BgpCodec.decode(wire, false);
        assertThat(update.withdrawn()).containsExactly(IpPrefix.parse("10.1.0.0/16"));
        assertThat(update.nlri()).containsExactly(IpPrefix.parse("192.0.2.0/24"), IpPrefix.parse("192.0.2.7/32"));
        assertThat(update.attribute(PathAttribute.AsPath.class).orElseThrow()).isEqualTo(PathAttribute.AsPath.sequence(65001));
        assertThat(update.attribute(PathAttribute.Communities.class).orElseThrow().values()).containsExactly(new Community(65000, 100));
        assertThat(update.errorHandling()).isEqualTo(ErrorHandling.NONE);
        assertThat(BgpCodec.encode(update, false)).isEqualTo(wire);
    }

    @Test
    void twoOctetEncodingWritesAsTransForBigAsNumbers() throws Exception {
        byte[] wire = BgpCodec.encode(new UpdateMessage(List.of(), List.of(PathAttribute.AsPath.sequence(4_200_000_001L)),
                List.of()), false);
        assertThat(HexFormat.of().formatHex(wire)).endsWith("40020402015ba0"); // 0x5ba0 = 23456
    }

    @Test
    void endOfRibMarkers() throws Exception {
        assertThat(BgpCodec.encode(UpdateMessage.endOfRib(AddressFamily.IPV4_UNICAST), true))
                .isEqualTo(hex(MARKER + "0017 02 0000 0000"));
        assertThat(BgpCodec.encode(UpdateMessage.endOfRib(AddressFamily.IPV6_UNICAST), true))
                .isEqualTo(hex(MARKER + "001d 02 0000 0006 80 0f 03 0002 01"));
        UpdateMessage v6 = (UpdateMessage) BgpCodec.decode(BgpCodec.encode(UpdateMessage.endOfRib(AddressFamily.IPV6_UNICAST), true), true);
        assertThat(v6.endOfRibFamily()).contains(AddressFamily.IPV6_UNICAST);
    }

    @Test
    void longAttributesUseTheExtendedLength() throws Exception {
        List<Community> many = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            many.add(new Community(64512, i));
        }
        UpdateMessage update = new UpdateMessage(List.of(), List.of(new PathAttribute.Communities(many)), List.of());
        byte[] wire = BgpCodec.encode(update, true);
        assertThat(wire[23] & 0xFF).isEqualTo(0xD0); // optional, transitive, extended length
        roundTrip(update, true);
    }
}
