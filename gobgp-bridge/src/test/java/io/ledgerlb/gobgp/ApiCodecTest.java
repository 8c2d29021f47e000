package io.ledgerlb.gobgp;

import com.google.protobuf.Any;
import io.ledgerlb.gobgp.api.MultiExitDiscAttribute;
import io.ledgerlb.gobgp.api.NextHopAttribute;
import io.ledgerlb.gobgp.api.Path;
import io.ledgerlb.gobgp.api.Peer;
import io.ledgerlb.net.Community;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.net.LargeCommunity;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ApiCodecTest {

    private static final DesiredPath V4 = new DesiredPath(IpPrefix.of("192.0.2.7", 32), IpAddress.parseInet("10.0.0.1"),
            DesiredPath.Origin.INCOMPLETE, 150L, List.of(new Community(65000, 100), new Community(65535, 65281)), List.of(new LargeCommunity(4_200_000_000L, 1, 2)));
    private static final DesiredPath V6 = new DesiredPath(IpPrefix.of("2001:db8::7", 128), IpAddress.parseInet("::"),
            DesiredPath.Origin.IGP, null, List.of(), List.of());

    @Test
    void pathsCarryTheTypeUrlsGobgpdReads() {
        assertThat(ApiCodec.path(V4).getNlri().getTypeUrl()).isEqualTo("type.googleapis.com/apipb.IPAddressPrefix");
        assertThat(ApiCodec.path(V4).getPattrsList()).extracting(Any::getTypeUrl).containsExactly(
                "type.googleapis.com/apipb.OriginAttribute", "type.googleapis.com/apipb.NextHopAttribute",
                "type.googleapis.com/apipb.LocalPrefAttribute", "type.googleapis.com/apipb.CommunitiesAttribute",
                "type.googleapis.com/apipb.LargeCommunitiesAttribute");
        assertThat(ApiCodec.path(V6).getPattrsList()).extracting(Any::getTypeUrl).containsExactly(
                "type.googleapis.com/apipb.OriginAttribute", "type.googleapis.com/apipb.MpReachNLRIAttribute");
    }

    @Test
    void aPathReadBackIsTheSamePathIncludingUnsigned32BitValues() {
        for (DesiredPath path : List.of(V4, V6)) {
            ObservedPath read = ApiCodec.observed(ApiCodec.path(path)).orElseThrow();
            assertThat(read.prefix()).isEqualTo(path.prefix());
            assertThat(read.decoded()).isEqualTo(path);
        }
    }

    @Test
    void aPathWithAnAttributeTheBridgeNeverSetsEqualsNoDesiredPath() {
        Path withMed = ApiCodec.path(V4).toBuilder().addPattrs(Any.pack(MultiExitDiscAttribute.newBuilder().setMed(5).build())).build();
        assertThat(ApiCodec.observed(withMed).orElseThrow().decoded()).isNull();

        Path v6NextHopOnV4 = ApiCodec.path(V4).toBuilder().setPattrs(1, Any.pack(NextHopAttribute.newBuilder().setNextHop("::1").build())).build();
        assertThat(ApiCodec.observed(v6NextHopOnV4).orElseThrow().decoded()).isNull();
    }

    @Test
    void aPeerCarriesItsPasswordTimersTransportAndFamilies() {
        DesiredPeer desired = DesiredPeer.of(IpAddress.parseInet("192.0.2.1"), 65001).withPassword("pw")
                .withFamilies(java.util.Set.of(RouteFamily.IPV6_UNICAST));
        Peer peer = ApiCodec.peer(desired);
        assertThat(peer.getConf().getNeighborAddress()).isEqualTo("192.0.2.1");
        assertThat(peer.getConf().getPeerAsn()).isEqualTo(65001);
        assertThat(peer.getConf().getAuthPassword()).isEqualTo("pw");
        assertThat(peer.getTimers().getConfig().getHoldTime()).isEqualTo(90);
        assertThat(peer.getTimers().getConfig().getKeepaliveInterval()).isEqualTo(30);
        assertThat(peer.getTransport().getRemotePort()).isEqualTo(179);
        assertThat(peer.getEbgpMultihop().getEnabled()).isFalse();
        assertThat(peer.getAfiSafisList()).extracting(a -> a.getConfig().getFamily()).containsExactly(RouteFamily.IPV6_UNICAST.api());
    }

    /** gobgpd matches a session its peer opens by Go's text of the source address: RFC 5952's. */
    @Test
    void anIpv6NeighborIsWrittenAsGobgpdMatchesAPassiveSession() {
        DesiredPeer desired = DesiredPeer.of(IpAddress.parseInet("fd00:99:0:1:0:0:0:e"), 65001);
        Peer peer = ApiCodec.peer(desired);
        assertThat(peer.getConf().getNeighborAddress()).isEqualTo("fd00:99:0:1::e");
        assertThat(ApiCodec.observed(peer).address()).isEqualTo(desired.address());
    }

    @Test
    void aFourOctetAsnSurvivesTheUnsignedRoundTrip() {
        Peer peer = ApiCodec.peer(DesiredPeer.of(IpAddress.parseInet("192.0.2.1"), 4_200_000_001L));
        assertThat(ApiCodec.observed(peer).peerAsn()).isEqualTo(4_200_000_001L);
    }
}
