package io.ledgerlb.speaker.bgp.announce;

import static io.ledgerlb.speaker.owner.Ledgers.assign;
import static io.ledgerlb.speaker.owner.Ledgers.fold;
import static io.ledgerlb.speaker.owner.Ledgers.pool;
import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.events.v1.BgpAdvertisementDefined;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.LabelSelector;
import io.ledgerlb.events.v1.SecretRef;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.net.Community;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.net.LargeCommunity;
import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.owner.NodeInfo;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BgpAnnouncerTest {
    static final NodeInfo NODE_A = new NodeInfo("a", Map.of("zone", "east", "bgp", "yes"), false);
    static final NodeInfo NODE_B = new NodeInfo("b", Map.of("zone", "west"), false);
    static final ServiceKey WEB = new ServiceKey("default", "web");
    static final ServiceKey DB = new ServiceKey("default", "db");

    static Event.Builder peer(String name, Map<String, String> nodeLabels) {
        BgpPeerDefined.Builder p = BgpPeerDefined.newBuilder().setName(name).setMyAsn(65000).setPeerAsn(65001)
                .setPeerAddress("192.0.2.254");
        if (!nodeLabels.isEmpty()) {
            p.addNodeSelectors(LabelSelector.newBuilder().putAllMatchLabels(nodeLabels));
        }
        return Event.newBuilder().setBgpPeerDefined(p);
    }

    static Event.Builder adv(BgpAdvertisementDefined.Builder adv) {
        return Event.newBuilder().setBgpAdvertisementDefined(adv);
    }

    static LedgerState state(Event.Builder... extra) {
        List<Event.Builder> events = new ArrayList<>(List.of(
                pool("public", "203.0.113.0/24", Map.of("tier", "public")),
                pool("v6", "2001:db8:5::/64", Map.of()),
                peer("edge", Map.of()),
                peer("east-only", Map.of("zone", "east")),
                assign("web", "203.0.113.10", "public", false),
                assign("web", "2001:db8:5::10", "v6", false),
                assign("db", "203.0.113.20", "public", true)));
        events.addAll(List.of(extra));
        return fold(events);
    }

    static Map<ServiceKey, Set<String>> serving(String webNode, String dbNode) {
        return Map.of(WEB, webNode == null ? Set.of() : Set.of(webNode), DB, dbNode == null ? Set.of() : Set.of(dbNode));
    }

    static List<String> prefixes(List<Advertisement> ads) {
        return ads.stream().map(a -> a.prefix().toString()).toList();
    }

    @Test
    void anAdvertisementWithoutSelectorsAnnouncesEveryPoolToEveryPeer() {
        LedgerState state = state(adv(BgpAdvertisementDefined.newBuilder().setName("all")));
        BgpAnnouncer.Plan plan = BgpAnnouncer.plan(state, NODE_A, serving("b", "a"));
        assertThat(plan.byPeer()).containsOnlyKeys("edge", "east-only");
        assertThat(prefixes(plan.forPeer("edge"))).containsExactly("203.0.113.10/32", "203.0.113.20/32", "2001:db8:5::10/128");
        assertThat(plan.problems()).isEmpty();
    }

    /** MetalLB 0.16's serviceSelectors: the advertisement carries only the selected Services' IPs. */
    @Test
    void serviceSelectorsLimitAnAdvertisementToTheServicesTheySelect() {
        LedgerState state = state(adv(BgpAdvertisementDefined.newBuilder().setName("frontends")
                .addServiceSelectors(LabelSelector.newBuilder().putMatchLabels("tier", "frontend"))));
        Map<ServiceKey, Map<String, String>> labels = Map.of(WEB, Map.of("tier", "frontend"), DB, Map.of("tier", "db"));

        BgpAnnouncer.Plan plan = BgpAnnouncer.plan(state, NODE_A, serving("a", "a"), s -> labels.getOrDefault(s, Map.of()));
        assertThat(prefixes(plan.forPeer("edge"))).containsExactly("203.0.113.10/32", "2001:db8:5::10/128");

        // without labels (no Kubernetes, or the Service has none) nothing is selected
        assertThat(BgpAnnouncer.plan(state, NODE_A, serving("a", "a")).forPeer("edge")).isEmpty();
    }

    @Test
    void peersSelectNodes() {
        LedgerState state = state(adv(BgpAdvertisementDefined.newBuilder().setName("all")));
        assertThat(BgpAnnouncer.plan(state, NODE_B, serving("b", "b")).byPeer()).containsOnlyKeys("edge");
    }

    @Test
    void localTrafficPolicyNeedsAnEndpointOnThisNodeAndClusterOneAnywhere() {
        LedgerState state = state(adv(BgpAdvertisementDefined.newBuilder().setName("all")));
        // db is Local with its endpoint on b; web is Cluster with its endpoint on b
        assertThat(prefixes(BgpAnnouncer.plan(state, NODE_A, serving("b", "b")).forPeer("edge")))
                .containsExactly("203.0.113.10/32", "2001:db8:5::10/128");
        assertThat(prefixes(BgpAnnouncer.plan(state, NODE_B, serving("b", "b")).forPeer("edge")))
                .containsExactly("203.0.113.10/32", "203.0.113.20/32", "2001:db8:5::10/128");
        // no endpoints anywhere: nothing at all
        assertThat(BgpAnnouncer.plan(state, NODE_A, serving(null, null)).forPeer("edge")).isEmpty();
    }

    @Test
    void prefixesAreOrderedByAddressNotByText() {
        LedgerState state = state(adv(BgpAdvertisementDefined.newBuilder().setName("all")),
                assign("api", "203.0.113.9", "public", false), assign("mail", "203.0.113.100", "public", false),
                assign("dns", "2001:db8:5::9", "v6", false));
        Map<ServiceKey, Set<String>> everywhere = new java.util.HashMap<>(serving("a", "a"));
        for (String name : List.of("api", "mail", "dns")) {
            everywhere.put(new ServiceKey("default", name), Set.of("a"));
        }
        assertThat(prefixes(BgpAnnouncer.plan(state, NODE_A, everywhere).forPeer("edge"))).containsExactly(
                "203.0.113.9/32", "203.0.113.10/32", "203.0.113.20/32", "203.0.113.100/32", "2001:db8:5::9/128", "2001:db8:5::10/128");
    }

    @Test
    void aggregationLocalPrefAndCommunities() {
        LedgerState state = state(adv(BgpAdvertisementDefined.newBuilder().setName("agg")
                .setAggregationLength(24).setAggregationLengthV6(64).setLocalPref(200)
                .addCommunities("65000:100").addLargeCommunities("65000:1:2")));
        List<Advertisement> ads = BgpAnnouncer.plan(state, NODE_A, serving("a", "a")).forPeer("edge");
        assertThat(ads).containsExactly(
                new Advertisement(IpPrefix.parse("203.0.113.0/24"), 200L, List.of(new Community(65000, 100)), List.of(new LargeCommunity(65000, 1, 2))),
                new Advertisement(IpPrefix.parse("2001:db8:5::/64"), 200L, List.of(new Community(65000, 100)), List.of(new LargeCommunity(65000, 1, 2))));
    }

    @Test
    void poolsByNameOrSelectorNodeSelectorsAndPeers() {
        LedgerState state = state(
                adv(BgpAdvertisementDefined.newBuilder().setName("by-name").addIpAddressPools("v6").addPeers("east-only")),
                adv(BgpAdvertisementDefined.newBuilder().setName("by-label")
                        .addIpAddressPoolSelectors(LabelSelector.newBuilder().putMatchLabels("tier", "public"))
                        .addNodeSelectors(LabelSelector.newBuilder().putMatchLabels("bgp", "yes"))));
        BgpAnnouncer.Plan onA = BgpAnnouncer.plan(state, NODE_A, serving("a", "a"));
        assertThat(prefixes(onA.forPeer("edge"))).containsExactly("203.0.113.10/32", "203.0.113.20/32");
        assertThat(prefixes(onA.forPeer("east-only"))).containsExactly("203.0.113.10/32", "203.0.113.20/32", "2001:db8:5::10/128");
        BgpAnnouncer.Plan onB = BgpAnnouncer.plan(state, NODE_B, serving("b", "b"));
        assertThat(onB.forPeer("edge")).isEmpty(); // by-label selects nodes labelled bgp=yes only
    }

    @Test
    void twoAdvertisementsOfOnePrefixMerge() {
        LedgerState state = state(
                adv(BgpAdvertisementDefined.newBuilder().setName("one").addIpAddressPools("public").setLocalPref(100).addCommunities("1:1")),
                adv(BgpAdvertisementDefined.newBuilder().setName("two").addIpAddressPools("public").setLocalPref(300).addCommunities("2:2")));
        Advertisement ad = BgpAnnouncer.plan(state, NODE_A, serving("a", "a")).forPeer("edge").get(0);
        assertThat(ad.localPref()).isEqualTo(300L);
        assertThat(ad.communities()).containsExactly(new Community(1, 1), new Community(2, 2));
    }

    @Test
    void badCommunitiesAreReportedNotThrown() {
        LedgerState state = state(adv(BgpAdvertisementDefined.newBuilder().setName("bad").addCommunities("70000:1")));
        BgpAnnouncer.Plan plan = BgpAnnouncer.plan(state, NODE_A, serving("a", "a"));
        assertThat(plan.forPeer("edge")).isEmpty();
        assertThat(plan.problems()).hasSize(3).allMatch(p -> p.contains("70000:1"));
    }

    @Test
    void excludedNodesAnnounceNothing() {
        LedgerState state = state(adv(BgpAdvertisementDefined.newBuilder().setName("all")));
        NodeInfo excluded = new NodeInfo("a", Map.of(NodeInfo.EXCLUDE_LABEL, ""), false);
        assertThat(BgpAnnouncer.plan(state, excluded, serving("a", "a")).forPeer("edge")).isEmpty();
    }

    @Test
    void peerConfigFromTheLedger() throws Exception {
        BgpPeerDefined defined = BgpPeerDefined.newBuilder().setName("p").setMyAsn((int) 4_200_000_001L)
                .setPeerAsn(65001).setPeerAddress("2001:db8::1").setSourceAddress("2001:db8::2").setHoldTimeSeconds(0)
                .setHoldTimeSet(true).setEbgpMultihop(true).setEnableGracefulRestart(true).build();
        BgpPeerConfig config = BgpPeerConfigs.fromLedger(defined, Optional.empty(), InetAddress.getByName("10.0.0.1"));
        assertThat(config.myAsn()).isEqualTo(4_200_000_001L);
        assertThat(config.peerPort()).isEqualTo(179);
        assertThat(config.holdTime()).isZero();
        assertThat(config.connectTime()).isEqualTo(Duration.ofSeconds(120));
        assertThat(config.routerId()).isEqualTo(InetAddress.getByName("10.0.0.1"));
        assertThat(config.sourceAddress()).contains(InetAddress.getByName("2001:db8::2"));
        assertThat(config.gracefulRestart()).isTrue();

        BgpPeerConfig defaults = BgpPeerConfigs.fromLedger(defined.toBuilder().setHoldTimeSet(false).build(), Optional.empty(),
                InetAddress.getByName("10.0.0.1"));
        assertThat(defaults.holdTime()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void whatEachBackendCannotServe() {
        BgpPeerDefined plain = BgpPeerDefined.newBuilder().setName("p").setMyAsn(65000).setPeerAsn(65001)
                .setPeerAddress("192.0.2.1").build();
        BgpPeerDefined withPassword = plain.toBuilder().setPassword(SecretRef.newBuilder().setName("s").setKey("password")).build();
        assertThat(BgpPeerConfigs.limitations(plain, "native")).isEmpty();
        assertThat(BgpPeerConfigs.limitations(plain, "gobgp")).isEmpty();
        // both backends sign with TCP MD5 now (the native one through setsockopt)
        assertThat(BgpPeerConfigs.limitations(withPassword, "native")).isEmpty();
        assertThat(BgpPeerConfigs.limitations(withPassword, "gobgp")).isEmpty();
        BgpPeerDefined everything = withPassword.toBuilder().setBfdProfile("fast").setVrf("red").build();
        // BFD is the native backend's only
        assertThat(BgpPeerConfigs.limitations(everything, "native")).satisfiesExactly(vrf -> assertThat(vrf).startsWith("vrf:"));
        assertThat(BgpPeerConfigs.limitations(everything, "gobgp")).satisfiesExactly(
                bfd -> assertThat(bfd).startsWith("bfdProfile:").contains("native"), vrf -> assertThat(vrf).startsWith("vrf:"));
    }

    /** GTSM: sent with TTL 255, accepted from 256 − hops and more, in both backends; dualStackAddressFamily as recorded. */
    @Test
    void ttlSecurityAndDualStackReachBothBackends() throws Exception {
        BgpPeerDefined gtsm = BgpPeerDefined.newBuilder().setName("p").setMyAsn(65000).setPeerAsn(65001)
                .setPeerAddress("192.0.2.1").setTtlSecurityHops(2).build();
        assertThat(BgpPeerConfigs.limitations(gtsm, "native")).isEmpty();
        assertThat(BgpPeerConfigs.limitations(gtsm, "gobgp")).isEmpty();
        BgpPeerConfig config = BgpPeerConfigs.fromLedger(gtsm, Optional.empty(), InetAddress.getByName("10.0.0.1"));
        assertThat(config.ipTtl()).as("single-hop eBGP, but GTSM").isEqualTo(255);
        assertThat(config.minimumTtl()).isEqualTo(254);
        BgpPeerConfig plain = BgpPeerConfigs.fromLedger(gtsm.toBuilder().setTtlSecurityHops(0).build(), Optional.empty(),
                InetAddress.getByName("10.0.0.1"));
        assertThat(plain.ipTtl()).isEqualTo(1);
        assertThat(plain.minimumTtl()).isZero();
        assertThat(config.dualStackAddressFamily()).as("MetalLB's default").isFalse();
        assertThat(config.carries(false)).isTrue();
        assertThat(config.carries(true)).as("IPv6 over this IPv4 session").isFalse();
        BgpPeerConfig dual = BgpPeerConfigs.fromLedger(gtsm.toBuilder().setDualStackAddressFamily(true).build(), Optional.empty(),
                InetAddress.getByName("10.0.0.1"));
        assertThat(dual.carries(true)).isTrue();
    }

    @Test
    void servicesAreReportedOnlyForThePeersTheirOwnAdvertisementsGoTo() {
        ServiceKey api = new ServiceKey("default", "api");
        ServiceKey apiTwin = new ServiceKey("default", "api-twin");
        // "wide" aggregates pool public into 203.0.0.0/16 for edge, which covers pool near's IP too;
        // near is advertised as host routes to east-only alone
        LedgerState state = state(
                pool("near", "203.0.200.0/24", Map.of()),
                assign("api", "203.0.200.5", "near", false),
                assign("api-twin", "203.0.200.5", "near", false),
                adv(BgpAdvertisementDefined.newBuilder().setName("wide").addIpAddressPools("public").setAggregationLength(16).addPeers("edge")),
                adv(BgpAdvertisementDefined.newBuilder().setName("hosts").addIpAddressPools("near").addPeers("east-only")));
        Map<ServiceKey, Set<String>> serving = Map.of(WEB, Set.of("a"), DB, Set.of("a"), api, Set.of("a"), apiTwin, Set.of("a"));
        BgpAnnouncer.Plan plan = BgpAnnouncer.plan(state, NODE_A, serving);

        assertThat(plan.byPeer().get("edge")).singleElement().satisfies(p -> {
            assertThat(p.advertisement().prefix()).isEqualTo(IpPrefix.parse("203.0.0.0/16"));
            assertThat(p.services()).containsExactlyInAnyOrder(WEB, DB);
            assertThat(p.advertisement().localPref()).isNull(); // two IPs merged without one (threw before)
        });
        assertThat(plan.byPeer().get("east-only")).singleElement().satisfies(p ->
                assertThat(p.services()).containsExactlyInAnyOrder(api, apiTwin));
        assertThat(plan.peersByService(Set.of("edge", "east-only"))).isEqualTo(Map.of(
                WEB, Set.of("edge"), DB, Set.of("edge"), api, Set.of("east-only"), apiTwin, Set.of("east-only")));
        // only peers with a session count
        assertThat(plan.peersByService(Set.of("east-only"))).isEqualTo(Map.of(api, Set.of("east-only"), apiTwin, Set.of("east-only")));
        // a Service whose IP is not announced (Local, no endpoint here) is reported nowhere, even under an aggregate
        Map<ServiceKey, Set<String>> dbElsewhere = Map.of(WEB, Set.of("a"), DB, Set.of("b"), api, Set.of("a"), apiTwin, Set.of("a"));
        assertThat(BgpAnnouncer.plan(state, NODE_A, dbElsewhere).peersByService(Set.of("edge", "east-only"))).doesNotContainKey(DB);
    }
}
