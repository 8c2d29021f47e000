package io.ledgerlb.speaker.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.ledgerlb.events.v1.BfdProfileDefined;
import io.ledgerlb.events.v1.BgpAdvertisementDefined;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.events.v1.ConfigKind;
import io.ledgerlb.events.v1.ConfigRemoved;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpReleased;
import io.ledgerlb.events.v1.L2AdvertisementDefined;
import io.ledgerlb.events.v1.LabelSelector;
import io.ledgerlb.events.v1.ServiceRef;
import io.ledgerlb.ledger.event.HashChain;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.speaker.owner.Ledgers;
import io.ledgerlb.speaker.owner.NodeInfo;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Incremental planning against planning from scratch: random sequences of ledger events (with
 * serviceSelectors and BFD profiles), member, Node, endpoint and Service label changes; after each one the incremental plan (Layer 2 owners and skipped IPs,
 * BGP advertisements per peer, problems) must be the plan {@code L2Planner.plan} and
 * {@code BgpAnnouncer.plan} make from the whole state. And an assignment costs its IP, not the
 * cluster.
 */
class PlanningTest {
    static final List<String> NODES = List.of("n1", "n2", "n3");
    static final List<String> POOLS = List.of("p0", "p1", "p2");
    static final LabelSelector APP_WEB = LabelSelector.newBuilder().putMatchLabels("app", "web").build();

    /** A ledger of sealed, chained entries, as the follower hands them over. */
    static final class Chain {
        byte[] prev = HashChain.GENESIS;
        long sequence;

        LedgerEntry next(Event.Builder body) {
            LedgerEntry entry = LedgerEntry.seal(body.clone().setSequence(++sequence).setPrevHash(ByteString.copyFrom(prev)).build());
            prev = entry.hash();
            return entry;
        }
    }

    @Test
    void incrementalPlansAreTheFullPlanAfterEveryChangeOfRandomHistories() {
        for (long seed = 1; seed <= 150; seed++) {
            Random random = new Random(seed);
            Planning planning = new Planning("n1");
            Chain chain = new Chain();
            planning.reset(new LedgerState());
            planning.nodes(nodes(random), random.nextInt(4) != 0);
            planning.members(Set.copyOf(NODES));
            planning.plan();
            for (int step = 0; step < 80; step++) {
                String what = change(random, planning, chain);
                planning.plan();
                assertThat(planning.disagreementsWithFullPlan()).as("seed %d step %d: %s", seed, step, what).isEmpty();
                assertThat(planning.recheck(7)).as("a slice of the rolling re-plan, seed %d step %d", seed, step).isEmpty();
            }
        }
    }

    @Test
    void anAssignmentCostsItsIpNotTheCluster() {
        Planning planning = new Planning("n1");
        Chain chain = new Chain();
        planning.reset(new LedgerState());
        planning.nodes(Map.of("n1", new NodeInfo("n1", Map.of(), false), "n2", new NodeInfo("n2", Map.of(), false)), true);
        planning.members(Set.of("n1", "n2"));
        planning.apply(chain.next(Ledgers.pool("p0", "10.99.0.0/16", Map.of())));
        planning.apply(chain.next(Ledgers.l2("l2", List.of(), List.of(), Map.of())));
        planning.apply(chain.next(Event.newBuilder().setBgpPeerDefined(peer("r1", null))));
        planning.apply(chain.next(Event.newBuilder().setBgpAdvertisementDefined(BgpAdvertisementDefined.newBuilder().setName("b"))));
        for (int i = 0; i < 2000; i++) {
            String ip = "10.99." + (i / 250) + "." + (i % 250 + 1);
            planning.apply(chain.next(Ledgers.assign("s" + i, ip, "p0", false)));
            planning.serving(new ServiceKey("default", "s" + i), Set.of("n2"));
        }
        planning.plan();
        assertThat(planning.l2().size()).as("n1 keeps its own share of the 2000 IPs only").isBetween(1, 1999);
        assertThat(planning.l2().values()).allMatch(a -> a.node().equals("n1"));
        assertThat(planning.disagreementsWithFullPlan()).isEmpty();

        planning.apply(chain.next(Ledgers.assign("new", "10.99.9.9", "p0", true))); // Local, served on n1: n1's
        planning.serving(new ServiceKey("default", "new"), Set.of("n1"));
        Planning.Delta delta = planning.plan();
        assertThat(planning.lastPassIps()).as("IPs planned again").isEqualTo(2); // one for Layer 2, one for BGP
        assertThat(delta.l2()).containsOnlyKeys("10.99.9.9");
        assertThat(delta.bgp()).hasSize(1);
        assertThat(planning.disagreementsWithFullPlan()).isEmpty();
    }

    @Test
    void aServiceLabelChangeReplansItsIpsOnlyAndServiceSelectorsApply() {
        Planning planning = new Planning("n1");
        Chain chain = new Chain();
        planning.reset(new LedgerState());
        planning.nodes(Map.of("n1", new NodeInfo("n1", Map.of(), false)), true);
        planning.members(Set.of("n1"));
        planning.apply(chain.next(Ledgers.pool("p0", "10.99.0.0/16", Map.of())));
        planning.apply(chain.next(Event.newBuilder().setL2AdvertisementDefined(
                L2AdvertisementDefined.newBuilder().setName("web").addServiceSelectors(APP_WEB))));
        planning.apply(chain.next(Event.newBuilder().setBgpPeerDefined(peer("r1", null))));
        planning.apply(chain.next(Event.newBuilder().setBgpAdvertisementDefined(
                BgpAdvertisementDefined.newBuilder().setName("b").addServiceSelectors(APP_WEB))));
        for (int i = 0; i < 100; i++) {
            planning.apply(chain.next(Ledgers.assign("s" + i, "10.99.0." + (i + 1), "p0", false)));
            planning.serving(new ServiceKey("default", "s" + i), Set.of("n1"));
        }
        planning.plan();
        assertThat(planning.l2()).as("no Service has app=web yet").isEmpty();
        assertThat(planning.bgp()).isEmpty();

        planning.labels(new ServiceKey("default", "s7"), Map.of("app", "web"));
        Planning.Delta delta = planning.plan();
        assertThat(planning.lastPassIps()).as("IPs planned again").isEqualTo(2);
        assertThat(delta.l2()).containsOnlyKeys("10.99.0.8");
        assertThat(delta.bgp()).hasSize(1);
        assertThat(planning.disagreementsWithFullPlan()).isEmpty();

        planning.labels(new ServiceKey("default", "s7"), Map.of());
        delta = planning.plan();
        assertThat(delta.l2()).containsEntry("10.99.0.8", java.util.Optional.empty());
        assertThat(planning.l2()).isEmpty();
        assertThat(planning.bgp()).isEmpty();
        assertThat(planning.disagreementsWithFullPlan()).isEmpty();
    }

    @Test
    void aBfdProfileChangeReachesThePeersWithoutReplanningRoutes() {
        Planning planning = new Planning("n1");
        Chain chain = new Chain();
        planning.reset(new LedgerState());
        planning.nodes(Map.of("n1", new NodeInfo("n1", Map.of(), false)), true);
        planning.members(Set.of("n1"));
        planning.apply(chain.next(Event.newBuilder().setBgpPeerDefined(peer("r1", null).setBfdProfile("fast"))));
        planning.plan();
        BfdProfileDefined fast = BfdProfileDefined.newBuilder().setName("fast").setReceiveIntervalMs(300)
                .setTransmitIntervalMs(300).setDetectMultiplier(3).build();
        planning.apply(chain.next(Event.newBuilder().setBfdProfileDefined(fast)));
        Planning.Delta delta = planning.plan();
        assertThat(delta.peers()).hasValueSatisfying(p -> assertThat(p.bfdProfiles()).containsEntry("fast", fast));
        assertThat(planning.disagreementsWithFullPlan()).isEmpty();
    }

    /** One random change, applied to the planner; returns what it was, for the failure message. */
    static String change(Random random, Planning planning, Chain chain) {
        int kind = random.nextInt(100);
        Event.Builder event;
        if (kind < 35) {
            int pool = random.nextInt(POOLS.size());
            String ip = "10.99." + pool + "." + (1 + random.nextInt(6));
            String service = "s" + random.nextInt(12);
            event = Ledgers.assign(service, ip, POOLS.get(pool), random.nextInt(3) == 0);
        } else if (kind < 50) {
            int pool = random.nextInt(POOLS.size());
            event = Event.newBuilder().setIpReleased(IpReleased.newBuilder()
                    .setService(ServiceRef.newBuilder().setNamespace("default").setName("s" + random.nextInt(12)))
                    .setIp("10.99." + pool + "." + (1 + random.nextInt(6))).setPool(POOLS.get(pool)));
        } else if (kind < 57) {
            int pool = random.nextInt(POOLS.size());
            event = Ledgers.pool(POOLS.get(pool), "10.99." + pool + ".0/24", random.nextBoolean() ? Map.of("tier", "a") : Map.of());
        } else if (kind < 64) {
            event = Event.newBuilder().setL2AdvertisementDefined(l2Advert(random));
        } else if (kind < 71) {
            event = Event.newBuilder().setBgpAdvertisementDefined(bgpAdvert(random));
        } else if (kind < 73) {
            BgpPeerDefined.Builder peer = peer("r" + random.nextInt(3), random.nextBoolean() ? "a" : null);
            if (random.nextBoolean()) {
                peer.setBfdProfile("f" + random.nextInt(2));
            }
            event = Event.newBuilder().setBgpPeerDefined(peer);
        } else if (kind < 75) {
            event = Event.newBuilder().setBfdProfileDefined(BfdProfileDefined.newBuilder().setName("f" + random.nextInt(2))
                    .setReceiveIntervalMs(300).setTransmitIntervalMs(300).setDetectMultiplier(2 + random.nextInt(3)));
        } else if (kind < 80) {
            ConfigKind[] kinds = {ConfigKind.POOL, ConfigKind.L2_ADVERTISEMENT, ConfigKind.BGP_ADVERTISEMENT, ConfigKind.BGP_PEER,
                    ConfigKind.BFD_PROFILE};
            ConfigKind removed = kinds[random.nextInt(kinds.length)];
            String name = switch (removed) {
                case POOL -> POOLS.get(random.nextInt(POOLS.size()));
                case BGP_PEER -> "r" + random.nextInt(3);
                case BFD_PROFILE -> "f" + random.nextInt(2);
                default -> "a" + random.nextInt(3);
            };
            event = Event.newBuilder().setConfigRemoved(ConfigRemoved.newBuilder().setKind(removed).setName(name));
        } else if (kind < 84) {
            ServiceKey service = new ServiceKey("default", "s" + random.nextInt(12));
            Map<String, String> labels = List.<Map<String, String>>of(Map.of(), Map.of("app", "web"), Map.of("app", "db"))
                    .get(random.nextInt(3));
            planning.labels(service, labels);
            return "labels of " + service + ": " + labels;
        } else if (kind < 88) {
            ServiceKey service = new ServiceKey("default", "s" + random.nextInt(12));
            Set<String> serving = new HashSet<>();
            NODES.forEach(n -> {
                if (random.nextBoolean()) {
                    serving.add(n);
                }
            });
            planning.serving(service, serving);
            return "endpoints of " + service + ": " + serving;
        } else if (kind < 94) {
            Set<String> live = new HashSet<>();
            NODES.forEach(n -> {
                if (random.nextInt(4) != 0) {
                    live.add(n);
                }
            });
            planning.members(live);
            return "members " + live;
        } else {
            Map<String, NodeInfo> nodes = nodes(random);
            planning.nodes(nodes, random.nextInt(4) != 0);
            return "nodes " + nodes;
        }
        planning.apply(chain.next(event));
        return event.getBodyCase() + " " + event;
    }

    static Map<String, NodeInfo> nodes(Random random) {
        Map<String, NodeInfo> out = new HashMap<>();
        for (String n : NODES) {
            Map<String, String> labels = new HashMap<>();
            if (random.nextBoolean()) {
                labels.put("zone", "a");
            }
            if (random.nextInt(8) == 0) {
                labels.put(NodeInfo.EXCLUDE_LABEL, "");
            }
            out.put(n, new NodeInfo(n, labels, random.nextInt(10) == 0));
        }
        return out;
    }

    static L2AdvertisementDefined.Builder l2Advert(Random random) {
        L2AdvertisementDefined.Builder advert = L2AdvertisementDefined.newBuilder().setName("a" + random.nextInt(3));
        switch (random.nextInt(3)) {
            case 0 -> advert.addIpAddressPools(POOLS.get(random.nextInt(POOLS.size())));
            case 1 -> advert.addIpAddressPoolSelectors(LabelSelector.newBuilder().putMatchLabels("tier", "a"));
            default -> { } // every pool
        }
        if (random.nextBoolean()) {
            advert.addNodeSelectors(LabelSelector.newBuilder().putMatchLabels("zone", "a"));
        }
        if (random.nextBoolean()) {
            advert.addInterfaces(random.nextBoolean() ? "eth0" : "eth1");
        }
        if (random.nextInt(3) == 0) {
            advert.addServiceSelectors(APP_WEB);
        }
        return advert;
    }

    static BgpAdvertisementDefined.Builder bgpAdvert(Random random) {
        BgpAdvertisementDefined.Builder advert = BgpAdvertisementDefined.newBuilder().setName("a" + random.nextInt(3));
        switch (random.nextInt(3)) {
            case 0 -> advert.addIpAddressPools(POOLS.get(random.nextInt(POOLS.size())));
            case 1 -> advert.addIpAddressPoolSelectors(LabelSelector.newBuilder().putMatchLabels("tier", "a"));
            default -> { }
        }
        advert.setAggregationLength(List.of(0, 32, 30, 29).get(random.nextInt(4)));
        if (random.nextBoolean()) {
            advert.setLocalPref(50 + random.nextInt(3) * 50);
        }
        if (random.nextBoolean()) {
            advert.addCommunities(random.nextBoolean() ? "65000:" + random.nextInt(3) : "not-a-community");
        }
        if (random.nextInt(3) == 0) {
            advert.addPeers("r" + random.nextInt(3));
        }
        if (random.nextInt(4) == 0) {
            advert.addNodeSelectors(LabelSelector.newBuilder().putMatchLabels("zone", "a"));
        }
        if (random.nextInt(3) == 0) {
            advert.addServiceSelectors(APP_WEB);
        }
        return advert;
    }

    static BgpPeerDefined.Builder peer(String name, String zone) {
        BgpPeerDefined.Builder peer = BgpPeerDefined.newBuilder().setName(name).setMyAsn(64512).setPeerAsn(64513)
                .setPeerAddress("192.0.2.1").setPeerPort(179);
        if (zone != null) {
            peer.addNodeSelectors(LabelSelector.newBuilder().putMatchLabels("zone", zone));
        }
        return peer;
    }
}
