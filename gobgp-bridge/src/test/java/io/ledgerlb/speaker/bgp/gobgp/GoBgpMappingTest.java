package io.ledgerlb.speaker.bgp.gobgp;

import io.ledgerlb.gobgp.Addresses;
import io.ledgerlb.gobgp.DesiredPath;
import io.ledgerlb.gobgp.DesiredPeer;
import io.ledgerlb.gobgp.RouteFamily;
import io.ledgerlb.net.Community;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.net.LargeCommunity;
import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.NextHops;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class GoBgpMappingTest {

    private static final NextHops UNSPECIFIED = NextHops.NONE;

    private static BgpPeerConfig peer(long myAsn, boolean multihop) {
        return new BgpPeerConfig("r1", myAsn, 65001, IpAddress.parseInet("192.0.2.1"), 1179, Optional.of(IpAddress.parseInet("192.0.2.9")),
                Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(2), IpAddress.parseInet("192.0.2.9"), multihop, true,
                Optional.of("pw"));
    }

    @Test
    void aPeerKeepsEveryFieldAndUsesGobgpdsAsUnlessItsOwnDiffers() {
        DesiredPeer same = GoBgpMapping.peer(peer(64512, false), 64512, UNSPECIFIED);
        assertThat(same.localAsn()).isZero();
        assertThat(same.port()).isEqualTo(1179);
        assertThat(same.localAddress()).contains(IpAddress.parseInet("192.0.2.9"));
        assertThat(same.holdTime()).isEqualTo(Duration.ofSeconds(30));
        assertThat(same.keepalive()).isEqualTo(Duration.ofSeconds(10));
        assertThat(same.connectRetry()).isEqualTo(Duration.ofSeconds(2));
        assertThat(same.password()).contains("pw");
        assertThat(same.gracefulRestart()).isTrue();
        assertThat(same.ebgpMultihopTtl()).isZero();

        DesiredPeer other = GoBgpMapping.peer(peer(64600, true), 64512, UNSPECIFIED);
        assertThat(other.localAsn()).isEqualTo(64600);
        assertThat(other.ebgpMultihopTtl()).isEqualTo(255);
    }

    /** MetalLB's default connectTime (120 s) would leave a peer whose first attempt failed down for 90 to 120 s. */
    @Test
    void gobgpdRetriesAtLeastEveryFiveSeconds() {
        assertThat(GoBgpMapping.connectRetry(Duration.ofSeconds(120))).isEqualTo(Duration.ofSeconds(5));
        assertThat(GoBgpMapping.connectRetry(Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void theNextHopIsLeftToGobgpdUnlessOneIsGiven() {
        Advertisement ad = new Advertisement(IpPrefix.parse("198.51.100.7/32"), 150L, List.of(new Community(0, 7)), List.of(new LargeCommunity(1, 2, 3)));
        DesiredPath derived = GoBgpMapping.path(ad, UNSPECIFIED);
        assertThat(derived.nextHop()).isEqualTo(IpAddress.parse("0.0.0.0"));
        assertThat(derived.localPref()).isEqualTo(150L);
        assertThat(derived.communities()).containsExactly(new Community(0, 7));
        assertThat(derived.largeCommunities()).containsExactly(new LargeCommunity(1, 2, 3));
        assertThat(derived.origin()).isEqualTo(DesiredPath.Origin.IGP);

        NextHops fixed = new NextHops(Optional.of(IpAddress.parse("192.0.2.9")), Optional.empty());
        assertThat(GoBgpMapping.path(ad, fixed).nextHop()).isEqualTo(IpAddress.parse("192.0.2.9"));
        Advertisement v6 = Advertisement.of(IpPrefix.parse("2001:db8::7/128"));
        assertThat(GoBgpMapping.path(v6, fixed).nextHop()).isEqualTo(IpAddress.parse("::"));
    }

    @Test
    void everyPathCarriesLocalPrefForInternalPeersTheDefaultWhenTheAdvertisementSetsNone() {
        Advertisement none = Advertisement.of(IpPrefix.parse("198.51.100.8/32"));
        assertThat(GoBgpMapping.path(none, UNSPECIFIED).localPref()).isEqualTo(Advertisement.DEFAULT_LOCAL_PREF);
        Advertisement set = new Advertisement(IpPrefix.parse("198.51.100.9/32"), 300L, List.of(), List.of());
        assertThat(GoBgpMapping.path(set, UNSPECIFIED).localPref()).isEqualTo(300L);
    }

    /** dualStackAddressFamily: true, and an explicit next hop of the other family: both families; else its own only (MetalLB's default). */
    @Test
    void aSessionCarriesTheOtherFamilyOnlyWhenDualStackWithAnExplicitNextHopOfIt() {
        BgpPeerConfig v4Peer = peerAt("192.0.2.1", true);
        BgpPeerConfig v6Peer = peerAt("2001:db8::1", true);
        assertThat(GoBgpMapping.families(v4Peer, UNSPECIFIED)).containsExactly(RouteFamily.IPV4_UNICAST);
        assertThat(GoBgpMapping.families(v6Peer, UNSPECIFIED)).containsExactly(RouteFamily.IPV6_UNICAST);
        NextHops v6Known = new NextHops(Optional.empty(), Optional.of(IpAddress.parse("2001:db8::9")));
        assertThat(GoBgpMapping.families(v4Peer, v6Known)).containsExactlyInAnyOrder(RouteFamily.values());
        assertThat(GoBgpMapping.families(v6Peer, v6Known)).containsExactly(RouteFamily.IPV6_UNICAST);
        assertThat(GoBgpMapping.families(peerAt("192.0.2.1", false), v6Known)).containsExactly(RouteFamily.IPV4_UNICAST);
        assertThat(GoBgpMapping.path(Advertisement.of(IpPrefix.parse("2001:db8::7/128")), v6Known).nextHop())
                .isEqualTo(IpAddress.parse("2001:db8::9"));
    }

    /** GTSM: gobgpd's ttl-security with the lowest TTL accepted, 256 − hops; never together with multihop. */
    @Test
    void gtsmBecomesGobgpdsTtlSecurity() {
        BgpPeerConfig gtsm = new BgpPeerConfig("r1", 64512, 65001, IpAddress.parseInet("192.0.2.1"), 179, Optional.empty(),
                Duration.ofSeconds(30), Duration.ZERO, Duration.ofSeconds(2), IpAddress.parseInet("192.0.2.9"), true, false,
                Optional.empty(), 2);
        DesiredPeer mapped = GoBgpMapping.peer(gtsm, 64512, UNSPECIFIED);
        assertThat(mapped.ttlMin()).isEqualTo(254);
        assertThat(mapped.ebgpMultihopTtl()).isZero();
        assertThat(GoBgpMapping.peer(peer(64512, true), 64512, UNSPECIFIED).ttlMin()).isZero();
    }

    private static BgpPeerConfig peerAt(String address, boolean dualStack) {
        return new BgpPeerConfig("r1", 64512, 65001, IpAddress.parseInet(address), 179, Optional.empty(), Duration.ofSeconds(30),
                Duration.ZERO, Duration.ofSeconds(2), IpAddress.parseInet("192.0.2.9"), false, false, Optional.empty(), 0, dualStack);
    }
}
