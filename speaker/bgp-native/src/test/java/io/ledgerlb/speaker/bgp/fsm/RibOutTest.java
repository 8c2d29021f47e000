package io.ledgerlb.speaker.bgp.fsm;

import io.ledgerlb.net.Community;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.net.LargeCommunity;
import io.ledgerlb.speaker.bgp.NextHops;
import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.codec.AddressFamily;
import io.ledgerlb.speaker.bgp.codec.BgpCodec;
import io.ledgerlb.speaker.bgp.codec.PathAttribute;
import io.ledgerlb.speaker.bgp.codec.UpdateMessage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RibOutTest {
    static final NextHops HOPS = new NextHops(Optional.of(IpAddress.parse("10.0.0.1")), Optional.of(IpAddress.parse("2001:db8::1")));
    static final Set<AddressFamily> BOTH = Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);

    static Map<IpPrefix, Advertisement> map(List<Advertisement> ads) {
        Map<IpPrefix, Advertisement> m = new LinkedHashMap<>();
        ads.forEach(a -> m.put(a.prefix(), a));
        return m;
    }

    static List<Advertisement> hosts(int count, boolean ipv6) {
        List<Advertisement> ads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String p = ipv6 ? "2001:db8::" + Integer.toHexString(i) + "/128"
                    : "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255) + "/32";
            ads.add(new Advertisement(IpPrefix.parse(p), 100L, List.of(new Community(0, 1)), List.of(new LargeCommunity(1, 2, 3))));
        }
        return ads;
    }

    @Test
    void tenThousandPrefixesArePackedIntoFullMessages() {
        for (boolean ipv6 : new boolean[]{false, true}) {
            List<Advertisement> ads = hosts(10_000, ipv6);
            List<UpdateMessage> updates = new RibOut().update(map(ads), new RibOut.Context(65000, false, true, BOTH, HOPS));
            Set<IpPrefix> seen = new HashSet<>();
            for (UpdateMessage u : updates) {
                assertThat(BgpCodec.encode(u, true).length).isLessThanOrEqualTo(4096);
                List<IpPrefix> nlri = ipv6 ? u.attribute(PathAttribute.MpReach.class).orElseThrow().nlri() : u.nlri();
                nlri.forEach(p -> assertThat(seen.add(p)).isTrue());
            }
            assertThat(seen).hasSize(10_000);
            int perMessage = ipv6 ? 17 : 5;
            assertThat(updates.size()).as("messages nearly full").isLessThanOrEqualTo(10_000 * perMessage / 3900 + 1);
        }
    }

    @Test
    void ebgpGetsOurAsAndNoLocalPref() {
        UpdateMessage u = new RibOut().update(map(hosts(1, false)), new RibOut.Context(65000, false, true, BOTH, HOPS)).get(0);
        assertThat(u.attribute(PathAttribute.AsPath.class)).contains(PathAttribute.AsPath.sequence(65000));
        assertThat(u.attribute(PathAttribute.LocalPref.class)).isEmpty();
        assertThat(u.attribute(PathAttribute.NextHop.class).orElseThrow().address()).isEqualTo(IpAddress.parse("10.0.0.1"));
        assertThat(u.attribute(PathAttribute.Communities.class).orElseThrow().values()).containsExactly(new Community(0, 1));
        assertThat(u.attribute(PathAttribute.LargeCommunities.class).orElseThrow().values()).containsExactly(new LargeCommunity(1, 2, 3));
    }

    @Test
    void ibgpGetsAnEmptyPathAndLocalPref() {
        UpdateMessage u = new RibOut().update(map(hosts(1, false)), new RibOut.Context(65000, true, true, BOTH, HOPS)).get(0);
        assertThat(u.attribute(PathAttribute.AsPath.class)).contains(PathAttribute.AsPath.empty());
        assertThat(u.attribute(PathAttribute.LocalPref.class).orElseThrow().value()).isEqualTo(100);
    }

    @Test
    void everyUpdateToAnInternalPeerCarriesLocalPrefTheDefaultWhenTheAdvertisementSetsNone() {
        RibOut.Context ibgp = new RibOut.Context(64500, true, true, BOTH, HOPS);
        for (boolean ipv6 : new boolean[] {false, true}) {
            IpPrefix unset = IpPrefix.parse(ipv6 ? "2001:db8::a/128" : "192.0.2.10/32");
            IpPrefix set = IpPrefix.parse(ipv6 ? "2001:db8::b/128" : "192.0.2.11/32");
            List<UpdateMessage> updates = new RibOut().update(map(List.of(Advertisement.of(unset),
                    new Advertisement(set, 300L, List.of(), List.of()))), ibgp);
            assertThat(updates).hasSize(2).allSatisfy(u -> assertThat(u.attribute(PathAttribute.LocalPref.class)).isPresent());
            assertThat(updates).extracting(u -> u.attribute(PathAttribute.LocalPref.class).orElseThrow().value())
                    .containsExactly(Advertisement.DEFAULT_LOCAL_PREF, 300L);
        }
        RibOut.Context ebgp = new RibOut.Context(64500, false, true, BOTH, HOPS);
        assertThat(new RibOut().update(map(List.of(Advertisement.of(IpPrefix.parse("192.0.2.10/32")),
                new Advertisement(IpPrefix.parse("192.0.2.11/32"), 300L, List.of(), List.of()))), ebgp))
                .allSatisfy(u -> assertThat(u.attribute(PathAttribute.LocalPref.class)).isEmpty());
    }

    @Test
    void aFourOctetAsToATwoOctetPeerGoesInAs4Path() {
        UpdateMessage u = new RibOut().update(map(hosts(1, false)),
                new RibOut.Context(4_200_000_001L, false, false, BOTH, HOPS)).get(0);
        assertThat(u.attributes()).contains(PathAttribute.AsPath.sequence(4_200_000_001L),
                new PathAttribute.AsPath(PathAttribute.AsPath.sequence(4_200_000_001L).segments(), true));
    }

    @Test
    void ipv6UsesMpReachWithTheIpv6NextHop() {
        UpdateMessage u = new RibOut().update(map(hosts(1, true)), new RibOut.Context(65000, false, true, BOTH, HOPS)).get(0);
        assertThat(u.nlri()).isEmpty();
        assertThat(u.attribute(PathAttribute.NextHop.class)).isEmpty();
        assertThat(u.attribute(PathAttribute.MpReach.class).orElseThrow().nextHops()).containsExactly(IpAddress.parse("2001:db8::1"));
    }

    @Test
    void familiesThePeerDidNotNegotiateAreLeftOut() {
        RibOut rib = new RibOut();
        List<Advertisement> ads = new ArrayList<>(hosts(2, true));
        ads.addAll(hosts(2, false));
        List<UpdateMessage> updates = rib.update(map(ads), new RibOut.Context(65000, false, true, Set.of(AddressFamily.IPV4_UNICAST), HOPS));
        assertThat(updates).hasSize(1);
        assertThat(rib.size()).isEqualTo(2);
    }

    @Test
    void changedAttributesAreAnnouncedAgainAndRemovedOnesWithdrawn() {
        RibOut rib = new RibOut();
        RibOut.Context ctx = new RibOut.Context(65000, false, true, BOTH, HOPS);
        Advertisement a = Advertisement.of(IpPrefix.parse("192.0.2.1/32"));
        Advertisement b = Advertisement.of(IpPrefix.parse("2001:db8::1/128"));
        rib.update(map(List.of(a, b)), ctx);
        Advertisement a2 = new Advertisement(a.prefix(), null, List.of(new Community(0, 5)), List.of());
        List<UpdateMessage> updates = rib.update(map(List.of(a2)), ctx);
        assertThat(updates).hasSize(2);
        assertThat(updates.get(0).attribute(PathAttribute.MpUnreach.class).orElseThrow().withdrawn()).containsExactly(b.prefix());
        assertThat(updates.get(1).nlri()).containsExactly(a.prefix());
        assertThat(rib.update(map(List.of(a2)), ctx)).isEmpty();
    }

    @Test
    void aChangeOfSomePrefixesSendsWhatAWholeUpdateWouldAndTouchesNothingElse() {
        RibOut.Context ctx = new RibOut.Context(65000, false, true, BOTH, HOPS);
        List<Advertisement> start = hosts(1000, false);
        RibOut whole = new RibOut();
        RibOut delta = new RibOut();
        whole.update(map(start), ctx);
        delta.update(map(start), ctx);
        Advertisement changed = new Advertisement(start.get(7).prefix(), null, List.of(new Community(0, 5)), List.of());
        Advertisement added = Advertisement.of(IpPrefix.parse("192.0.2.9/32"));
        List<Advertisement> after = new ArrayList<>(start);
        after.set(7, changed);
        after.remove(3);
        after.add(added);

        List<UpdateMessage> byChange = delta.change(Map.of(start.get(3).prefix(), java.util.Optional.empty(),
                changed.prefix(), java.util.Optional.of(changed), added.prefix(), java.util.Optional.of(added),
                start.get(9).prefix(), java.util.Optional.of(start.get(9))), ctx); // unchanged: nothing to send
        // the same messages; those of different attributes in either order (Map.of iterates at random)
        List<UpdateMessage> byWhole = whole.update(map(after), ctx);
        assertThat(byChange).containsExactlyInAnyOrderElementsOf(byWhole);
        assertThat(byChange.get(0)).as("withdrawals first").isEqualTo(byWhole.get(0));
        assertThat(byChange.get(0).nlri()).isEmpty();
        assertThat(delta.size()).isEqualTo(whole.size()).isEqualTo(1000);
        assertThat(delta.change(Map.of(IpPrefix.parse("192.0.2.200/32"), java.util.Optional.empty()), ctx))
                .as("withdrawing what was never sent").isEmpty();
    }

    @Test
    void prefixesWithTheSameAttributesShareAMessageWhereverTheyStandInTheList() {
        List<Advertisement> ads = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ads.add(new Advertisement(IpPrefix.parse("192.0.2." + i + "/32"), null, List.of(new Community(0, i % 2 == 0 ? 1 : 2)), List.of()));
        }
        List<UpdateMessage> updates = new RibOut().update(map(ads), new RibOut.Context(65000, false, true, BOTH, HOPS));
        assertThat(updates).hasSize(2);
        assertThat(updates.get(0).attribute(PathAttribute.Communities.class).orElseThrow().values()).containsExactly(new Community(0, 1));
        assertThat(updates.get(0).nlri()).containsExactly(ads.get(0).prefix(), ads.get(2).prefix(), ads.get(4).prefix());
        assertThat(updates.get(1).attribute(PathAttribute.Communities.class).orElseThrow().values()).containsExactly(new Community(0, 2));
        assertThat(updates.get(1).nlri()).containsExactly(ads.get(1).prefix(), ads.get(3).prefix(), ads.get(5).prefix());
    }

    @Test
    void tenThousandWithdrawalsArePackedIntoFullMessages() {
        RibOut rib = new RibOut();
        RibOut.Context ctx = new RibOut.Context(65000, false, true, BOTH, HOPS);
        List<Advertisement> ads = new ArrayList<>(hosts(10_000, false));
        ads.addAll(hosts(10_000, true));
        rib.update(map(ads), ctx);
        List<UpdateMessage> updates = rib.update(Map.of(), ctx);
        Set<IpPrefix> withdrawn = new HashSet<>();
        for (UpdateMessage u : updates) {
            assertThat(BgpCodec.encode(u, true).length).isLessThanOrEqualTo(4096);
            assertThat(u.nlri()).isEmpty();
            u.withdrawn().forEach(p -> assertThat(withdrawn.add(p)).isTrue());
            u.attribute(PathAttribute.MpUnreach.class).ifPresent(m -> m.withdrawn().forEach(p -> assertThat(withdrawn.add(p)).isTrue()));
        }
        assertThat(withdrawn).containsExactlyInAnyOrderElementsOf(ads.stream().map(Advertisement::prefix).toList());
        assertThat(updates.size()).as("messages nearly full").isLessThanOrEqualTo(10_000 * 5 / 4000 + 1 + 10_000 * 17 / 4000 + 1);
        assertThat(rib.size()).isZero();
    }
}
