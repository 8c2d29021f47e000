package io.ledgerlb.speaker.owner;

import static io.ledgerlb.speaker.owner.Ledgers.assign;
import static io.ledgerlb.speaker.owner.Ledgers.l2;
import static io.ledgerlb.speaker.owner.Ledgers.pool;
import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.L2AdvertisementDefined;
import io.ledgerlb.events.v1.LabelSelector;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class L2PlannerTest {
    static final Map<String, NodeInfo> NODES = Map.of(
            "n1", new NodeInfo("n1", Map.of("zone", "a"), false),
            "n2", new NodeInfo("n2", Map.of("zone", "b"), false),
            "n3", new NodeInfo("n3", Map.of("zone", "a"), false));
    static final ServiceKey WEB = new ServiceKey("default", "web");

    static ClusterView view(Set<String> live, Map<ServiceKey, Set<String>> serving) {
        return new ClusterView(NODES, live, serving, true);
    }

    /** These Services (namespace default) have a serving endpoint, on a node that runs no speaker. */
    static Map<ServiceKey, Set<String>> endpointsElsewhere(String... services) {
        Map<ServiceKey, Set<String>> out = new java.util.HashMap<>();
        for (String s : services) {
            out.put(new ServiceKey("default", s), Set.of("worker-without-speaker"));
        }
        return out;
    }

    @Test
    void aClusterPolicyIpWithoutAServingEndpointAnywhereIsNotAnnouncedAndStaysAllocated() {
        LedgerState state = Ledgers.fold(List.of(
                pool("p", "10.99.0.0/24", Map.of()),
                l2("all", List.of(), List.of(), Map.of()),
                assign("web", "10.99.0.10", "p", false),
                assign("dns", "10.99.0.10", "p", false)));
        Set<String> live = Set.of("n1", "n2", "n3");

        assertThat(L2Planner.plan(state, view(live, Map.of())).byIp()).as("no endpoint of web or dns").isEmpty();
        assertThat(state.isAssigned("10.99.0.10")).isTrue();
        assertThat(L2Planner.plan(state, view(live, endpointsElsewhere("dns"))).byIp()).as("dns is served: the shared IP is")
                .containsOnlyKeys("10.99.0.10");
        assertThat(L2Planner.plan(state, new ClusterView(Map.of(), live, Map.of(), false)).byIp())
                .as("without Kubernetes nothing says where endpoints are: announced").containsOnlyKeys("10.99.0.10");
    }

    @Test
    void oneOwnerPerIpAmongLiveSelectedNodes() {
        LedgerState state = Ledgers.fold(List.of(
                pool("p", "10.99.0.0/24", Map.of()),
                l2("zone-a", List.of("p"), List.of(), Map.of("zone", "a")),
                assign("web", "10.99.0.10", "p", false)));

        L2Planner.Plan plan = L2Planner.plan(state, view(Set.of("n1", "n2", "n3"), endpointsElsewhere("web")));
        L2Assignment a = plan.byIp().get("10.99.0.10");
        assertThat(a.node()).isEqualTo(OwnerChooser.owner("10.99.0.10", List.of("n1", "n3")).orElseThrow());
        assertThat(a.services()).containsExactly(WEB);
        assertThat(a.interfaces()).isEmpty();

        String other = a.node().equals("n1") ? "n3" : "n1";
        L2Planner.Plan afterLoss = L2Planner.plan(state, view(Set.of(other, "n2"), endpointsElsewhere("web")));
        assertThat(afterLoss.byIp().get("10.99.0.10").node()).isEqualTo(other);
        assertThat(L2Planner.plan(state, view(Set.of("n2"), endpointsElsewhere("web"))).byIp()).isEmpty();
    }

    @Test
    void excludedAndNetworkUnavailableNodesNeverAnnounce() {
        LedgerState state = Ledgers.fold(List.of(
                pool("p", "10.99.0.0/24", Map.of()),
                l2("all", List.of(), List.of(), Map.of()),
                assign("web", "10.99.0.10", "p", false)));
        Map<String, NodeInfo> nodes = Map.of(
                "n1", new NodeInfo("n1", Map.of(NodeInfo.EXCLUDE_LABEL, ""), false),
                "n2", new NodeInfo("n2", Map.of(), true),
                "n3", new NodeInfo("n3", Map.of(), false));
        ClusterView view = new ClusterView(nodes, Set.of("n1", "n2", "n3", "unknown"), endpointsElsewhere("web"), true);

        assertThat(L2Planner.plan(state, view).byIp().get("10.99.0.10").node()).isEqualTo("n3");
    }

    /** MetalLB 0.16's serviceSelectors: an advertisement answers only for the Services it selects. */
    @Test
    void serviceSelectorsChooseWhichAdvertisementAnnouncesWhichService() {
        L2AdvertisementDefined frontends = L2AdvertisementDefined.newBuilder().setName("frontends")
                .addNodeSelectors(LabelSelector.newBuilder().putMatchLabels("zone", "b"))
                .addServiceSelectors(LabelSelector.newBuilder().putMatchLabels("tier", "frontend")).build();
        LedgerState state = Ledgers.fold(List.of(
                pool("p", "10.99.0.0/24", Map.of()),
                Event.newBuilder().setL2AdvertisementDefined(frontends),
                assign("web", "10.99.0.10", "p", false),
                assign("db", "10.99.0.20", "p", false)));
        ClusterView view = new ClusterView(NODES, Set.of("n1", "n2", "n3"), endpointsElsewhere("web", "db"), true,
                Map.of(WEB, Map.of("tier", "frontend"), new ServiceKey("default", "db"), Map.of("tier", "db")));

        L2Planner.Plan plan = L2Planner.plan(state, view);
        assertThat(plan.byIp().get("10.99.0.10").node()).isEqualTo("n2");
        assertThat(plan.byIp()).doesNotContainKey("10.99.0.20");

        // a second advertisement without serviceSelectors announces every Service from zone a
        LedgerState both = Ledgers.fold(List.of(
                pool("p", "10.99.0.0/24", Map.of()),
                Event.newBuilder().setL2AdvertisementDefined(frontends),
                l2("zone-a", List.of(), List.of(), Map.of("zone", "a")),
                assign("web", "10.99.0.10", "p", false),
                assign("db", "10.99.0.20", "p", false)));
        L2Planner.Plan withBoth = L2Planner.plan(both, view);
        assertThat(withBoth.byIp().get("10.99.0.20").node()).isIn("n1", "n3");
        assertThat(withBoth.byIp().get("10.99.0.10").node())
                .isEqualTo(OwnerChooser.owner("10.99.0.10", List.of("n1", "n2", "n3")).orElseThrow());
    }

    @Test
    void withoutKubernetesEveryLiveSpeakerIsANode() {
        LedgerState state = Ledgers.fold(List.of(
                pool("p", "10.99.0.0/24", Map.of()),
                l2("all", List.of(), List.of(), Map.of()),
                assign("web", "10.99.0.10", "p", false)));
        ClusterView view = new ClusterView(Map.of(), Set.of("x", "y"), Map.of(), false);
        assertThat(L2Planner.plan(state, view).byIp().get("10.99.0.10").node()).isIn("x", "y");
    }

    @Test
    void trafficPolicyLocalFollowsTheServingNodes() {
        LedgerState state = Ledgers.fold(List.of(
                pool("p", "10.99.0.0/24", Map.of()),
                l2("all", List.of(), List.of(), Map.of()),
                assign("web", "10.99.0.10", "p", true)));
        Set<String> live = Set.of("n1", "n2", "n3");

        assertThat(L2Planner.plan(state, view(live, Map.of())).byIp()).as("no serving endpoint").isEmpty();
        for (String node : List.of("n1", "n2", "n3")) {
            assertThat(L2Planner.plan(state, view(live, Map.of(WEB, Set.of(node)))).byIp().get("10.99.0.10").node())
                    .isEqualTo(node);
        }
    }

    @Test
    void servicesSharingAnIpLandOnOneNode() {
        LedgerState state = Ledgers.fold(List.of(
                pool("p", "10.99.0.0/24", Map.of()),
                l2("all", List.of(), List.of(), Map.of()),
                assign("web", "10.99.0.10", "p", false),
                assign("dns", "10.99.0.10", "p", false)));

        L2Assignment a = L2Planner.plan(state, view(Set.of("n1", "n2", "n3"), endpointsElsewhere("web"))).byIp().get("10.99.0.10");
        assertThat(a.services()).containsExactly(new ServiceKey("default", "dns"), WEB);
    }

    @Test
    void interfacesAreTheUnionOfTheSelectingAdvertisements() {
        LedgerState state = Ledgers.fold(List.of(
                pool("p", "10.99.0.0/24", Map.of("tier", "front")),
                l2("by-name", List.of("p"), List.of("eth1"), Map.of()),
                Event.newBuilder().setL2AdvertisementDefined(L2AdvertisementDefined.newBuilder().setName("by-label")
                        .addIpAddressPoolSelectors(LabelSelector.newBuilder().putMatchLabels("tier", "front"))
                        .addInterfaces("eth2")),
                l2("other-pool", List.of("q"), List.of("eth3"), Map.of()),
                assign("web", "10.99.0.10", "p", false)));

        assertThat(L2Planner.plan(state, view(Set.of("n1"), endpointsElsewhere("web"))).byIp().get("10.99.0.10").interfaces())
                .containsExactlyInAnyOrder("eth1", "eth2");
    }

    @Test
    void unknownPoolsAndPoolsWithoutAdvertisementAreNotAnnounced() {
        LedgerState state = Ledgers.fold(List.of(
                pool("p", "10.99.0.0/24", Map.of()),
                pool("bgp-only", "10.99.1.0/24", Map.of()),
                l2("p-only", List.of("p"), List.of(), Map.of()),
                assign("web", "10.99.0.10", "p", false),
                assign("ghost", "10.99.2.10", "nowhere", false),
                assign("routed", "10.99.1.10", "bgp-only", false)));

        L2Planner.Plan plan = L2Planner.plan(state, view(Set.of("n1", "n2"), endpointsElsewhere("web", "ghost", "routed")));
        assertThat(plan.byIp()).containsOnlyKeys("10.99.0.10");
        assertThat(plan.skipped()).containsOnlyKeys("10.99.2.10");
        assertThat(plan.skipped().get("10.99.2.10")).contains("nowhere");
    }

    @Property(tries = 50)
    void speakersFoldingTheSameEventsInAnyAssignmentOrderAgree(@ForAll @IntRange(min = 1, max = 60) int services,
                                                                @ForAll long seed) {
        List<Event.Builder> assignments = new ArrayList<>();
        for (int i = 0; i < services; i++) {
            assignments.add(assign("svc" + i, "10.99.0." + (i + 1), "p", i % 3 == 0));
        }
        List<Event.Builder> shuffled = new ArrayList<>(assignments);
        Collections.shuffle(shuffled, new Random(seed));
        List<Event.Builder> config = List.of(pool("p", "10.99.0.0/24", Map.of()), l2("all", List.of(), List.of(), Map.of()));
        Map<ServiceKey, Set<String>> serving = Map.of(new ServiceKey("default", "svc0"), Set.of("n2"),
                new ServiceKey("default", "svc3"), Set.of("n1", "n3"));
        ClusterView view = view(Set.of("n1", "n2", "n3"), serving);

        L2Planner.Plan a = L2Planner.plan(Ledgers.fold(concat(config, assignments)), view);
        L2Planner.Plan b = L2Planner.plan(Ledgers.fold(concat(config, shuffled)), view);
        assertThat(a).isEqualTo(b);
    }

    /**
     * serviceSelectors as a property: with two advertisements (tier=frontend from zone b, tier=db
     * from zone a) and random Service labels, an IP is announced exactly when one of its Services
     * carries a selected tier, and from a node of an advertisement that selects one of them.
     */
    @Property(tries = 200)
    void anIpIsAnnouncedOnlyFromTheAdvertisementsThatSelectOneOfItsServices(
            @ForAll @IntRange(min = 1, max = 30) int services, @ForAll long seed) {
        Random random = new Random(seed);
        List<Event.Builder> events = new ArrayList<>(List.of(pool("p", "10.99.0.0/24", Map.of()),
                advert("frontends", "b", "frontend"), advert("databases", "a", "db")));
        Map<ServiceKey, Map<String, String>> labels = new java.util.HashMap<>();
        List<String> tiers = List.of("frontend", "db", "batch", "");
        for (int i = 0; i < services; i++) {
            // a few IPs are shared by two Services
            String ip = "10.99.0." + (1 + random.nextInt(Math.max(1, services * 3 / 4)));
            events.add(assign("svc" + i, ip, "p", false));
            String tier = tiers.get(random.nextInt(tiers.size()));
            labels.put(new ServiceKey("default", "svc" + i), tier.isEmpty() ? Map.of() : Map.of("tier", tier));
        }
        LedgerState state = Ledgers.fold(events);
        Map<ServiceKey, Set<String>> serving = new java.util.HashMap<>(); // every Service has an endpoint somewhere
        labels.keySet().forEach(k -> serving.put(k, Set.of("n1")));
        ClusterView view = new ClusterView(NODES, Set.of("n1", "n2", "n3"), serving, true, labels);

        L2Planner.Plan plan = L2Planner.plan(state, view);
        for (ServiceKey service : state.servicesWithAssignments()) {
            String ip = state.assignmentsOf(service).iterator().next().getIp();
            Set<String> holderTiers = new java.util.HashSet<>();
            state.holders(ip).forEach(h -> holderTiers.add(view.labels(ServiceKey.of(h.getService())).getOrDefault("tier", "")));
            Set<String> zones = new java.util.HashSet<>();
            if (holderTiers.contains("frontend")) {
                zones.add("b");
            }
            if (holderTiers.contains("db")) {
                zones.add("a");
            }
            if (zones.isEmpty()) {
                assertThat(plan.byIp()).as(ip).doesNotContainKey(ip);
            } else {
                assertThat(NODES.get(plan.byIp().get(ip).node()).labels().get("zone")).as(ip).isIn(zones);
            }
        }
    }

    static Event.Builder advert(String name, String zone, String tier) {
        return Event.newBuilder().setL2AdvertisementDefined(L2AdvertisementDefined.newBuilder().setName(name)
                .addNodeSelectors(LabelSelector.newBuilder().putMatchLabels("zone", zone))
                .addServiceSelectors(LabelSelector.newBuilder().putMatchLabels("tier", tier)));
    }

    static List<Event.Builder> concat(List<Event.Builder> a, List<Event.Builder> b) {
        List<Event.Builder> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
