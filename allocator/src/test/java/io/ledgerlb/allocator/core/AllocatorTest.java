package io.ledgerlb.allocator.core;

import static io.ledgerlb.allocator.core.Fixtures.NOW;
import static io.ledgerlb.allocator.core.Fixtures.cause;
import static io.ledgerlb.allocator.core.Fixtures.pool;
import static io.ledgerlb.allocator.core.Fixtures.svc;
import static io.ledgerlb.allocator.core.Fixtures.withAllocation;
import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.LabelSelector;
import io.ledgerlb.events.v1.LabelSelectorRequirement;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.events.v1.ReleaseReason;
import io.ledgerlb.events.v1.ServiceAllocation;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.net.IpFamily;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AllocatorTest {
    final Allocator allocator = new Allocator("allocator-0", null);
    final InMemoryChain chain = new InMemoryChain(allocator);

    Decision define(PoolDefined pool) {
        return chain.commit(allocator.poolDefined(chain.state(), pool, cause("IPAddressPool", pool.getName()), NOW));
    }

    Decision apply(ServiceRequest.Builder service) {
        ServiceRequest request = service.build();
        return chain.commit(allocator.serviceChanged(chain.state(), request, cause("Service", request.key().name()), NOW));
    }

    Decision delete(String name) {
        return chain.commit(allocator.serviceDeleted(chain.state(), new ServiceKey("default", name), cause("Service", name), NOW));
    }

    List<String> ipsOf(String name) {
        return chain.state().assignmentsOf(new ServiceKey("default", name)).stream().map(IpAssigned::getIp).sorted().toList();
    }

    static Outcome.Allocated allocated(Decision decision) {
        assertThat(decision.outcome()).isInstanceOf(Outcome.Allocated.class);
        return (Outcome.Allocated) decision.outcome();
    }

    static Outcome.Refused refused(Decision decision, String reason) {
        assertThat(decision.outcome()).isInstanceOf(Outcome.Refused.class);
        Outcome.Refused refused = (Outcome.Refused) decision.outcome();
        assertThat(refused.reason()).isEqualTo(reason);
        assertThat(decision.events()).singleElement().satisfies(e -> {
            assertThat(e.getAllocationRefused().getReason()).isEqualTo(reason);
            assertThat(e.getAllocationRefused().getMessage()).isEqualTo(refused.message());
        });
        return refused;
    }

    @Test
    void firstServiceGetsTheFirstAddressWithTimeActorAndCauseOnTheEvent() {
        define(pool("default", "192.0.2.0/24"));
        Decision d = apply(svc("web").ports(Port.tcp(80)));
        assertThat(allocated(d).ips()).containsExactly("192.0.2.0");
        assertThat(allocated(d).pool()).isEqualTo("default");
        Event event = d.events().get(0);
        assertThat(event.getActor()).isEqualTo("allocator-0");
        assertThat(event.getCause().getName()).isEqualTo("web");
        assertThat(event.getTime().getSeconds()).isEqualTo(NOW.getEpochSecond());
        assertThat(event.getSequence()).isZero();
        assertThat(event.getIpAssigned().getPortsList()).extracting(p -> p.getProtocol() + p.getPort()).containsExactly("TCP80");
        assertThat(apply(svc("api")).outcome()).isEqualTo(new Outcome.Allocated(List.of("192.0.2.1"), "default", List.of()));
    }

    @Test
    void unchangedServiceRecordsNothingAndChangedPortsRecordTheHoldingAgain() {
        define(pool("default", "192.0.2.0/24"));
        apply(svc("web").ports(Port.tcp(80)));
        Decision again = apply(svc("web").ports(Port.tcp(80)));
        assertThat(again.events()).isEmpty();
        assertThat(again.outcome()).isEqualTo(new Outcome.Unchanged(List.of("192.0.2.0"), "default", List.of()));
        Decision ports = apply(svc("web").ports(Port.tcp(80), Port.tcp(443)));
        assertThat(ports.events()).singleElement().satisfies(e -> {
            assertThat(e.getIpAssigned().getIp()).isEqualTo("192.0.2.0");
            assertThat(e.getIpAssigned().getPortsCount()).isEqualTo(2);
        });
        assertThat(ipsOf("web")).containsExactly("192.0.2.0");
    }

    @Test
    void deletedServiceReleasesAndGetsItsIpBackWhenCreatedAgain() {
        define(pool("default", "192.0.2.0/24"));
        apply(svc("a"));
        apply(svc("b"));
        Decision deleted = delete("a");
        assertThat(deleted.outcome()).isEqualTo(new Outcome.Released(List.of("192.0.2.0"), ReleaseReason.SERVICE_DELETED));
        assertThat(deleted.events()).singleElement().satisfies(e -> assertThat(e.getIpReleased().getReason()).isEqualTo(ReleaseReason.SERVICE_DELETED));
        delete("b");
        // b was freed last, so the lowest free is .0 — but a comes back to its own .0 anyway, and b to .1
        assertThat(allocated(apply(svc("b").uid("uid-b2"))).ips()).containsExactly("192.0.2.1");
        assertThat(allocated(apply(svc("a").uid("uid-a2"))).ips()).containsExactly("192.0.2.0");
        assertThat(chain.state().assignmentsOf(new ServiceKey("default", "a")).iterator().next().getService().getUid()).isEqualTo("uid-a2");
    }

    @Test
    void recreatedServiceGetsANewIpWhenItsOldOneWasTaken() {
        define(pool("default", "192.0.2.0/24"));
        apply(svc("a"));
        delete("a");
        apply(svc("b"));
        assertThat(ipsOf("b")).containsExactly("192.0.2.0");
        assertThat(allocated(apply(svc("a"))).ips()).containsExactly("192.0.2.1");
    }

    @Test
    void requestedIpByAnnotationOrSpecInsideAPool() {
        define(pool("default", "192.0.2.0/24"));
        assertThat(allocated(apply(svc("a").annotations(Map.of("metallb.io/loadBalancerIPs", "192.0.2.50")))).ips())
                .containsExactly("192.0.2.50");
        assertThat(allocated(apply(svc("b").loadBalancerIp("192.0.2.51"))).ips()).containsExactly("192.0.2.51");
    }

    @Test
    void requestedIpOutsideEveryPoolIsRefusedAndTheServiceGivesUpWhatItHeldAsInMetalLb() {
        define(pool("default", "192.0.2.0/24"));
        apply(svc("a"));
        apply(svc("b"));
        LedgerState before = chain.state().copy();
        Decision d = apply(svc("a").annotations(Map.of("metallb.io/loadBalancerIPs", "198.51.100.7")));
        assertThat(d.events()).extracting(Event::getBodyCase)
                .containsExactly(Event.BodyCase.IP_RELEASED, Event.BodyCase.ALLOCATION_REFUSED);
        assertThat(d.events().get(0).getIpReleased().getReason()).isEqualTo(ReleaseReason.SERVICE_CHANGED);
        assertThat(((Outcome.Refused) d.outcome()).message()).contains("198.51.100.7");
        assertThat(ipsOf("a")).isEmpty();
        assertThat(chain.state().assignmentsOf(new ServiceKey("default", "b")))
                .containsExactlyElementsOf(before.assignmentsOf(new ServiceKey("default", "b")));
    }

    @Test
    void bothAnnotationAndSpecLoadBalancerIpIsRefused() {
        define(pool("default", "192.0.2.0/24"));
        Decision d = apply(svc("a").loadBalancerIp("192.0.2.9").annotations(Map.of("metallb.io/loadBalancerIPs", "192.0.2.9")));
        assertThat(refused(d, "ConflictingRequest").message()).contains("spec.loadBalancerIP");
        assertThat(ipsOf("a")).isEmpty();
    }

    @Test
    void requestedIpHeldByAnotherServiceIsRefused() {
        define(pool("default", "192.0.2.0/24"));
        apply(svc("a"));
        Decision d = apply(svc("b").loadBalancerIp("192.0.2.0"));
        assertThat(refused(d, "IpInUse").message()).contains("default/a");
        assertThat(ipsOf("a")).containsExactly("192.0.2.0");
    }

    @Test
    void requestedPoolIsUsedEvenWithoutAutoAssign() {
        define(pool("default", "192.0.2.0/24"));
        define(pool("special", "198.51.100.0/24").toBuilder().setAutoAssign(false).build());
        assertThat(allocated(apply(svc("a"))).pool()).isEqualTo("default");
        Decision d = apply(svc("b").annotations(Map.of("metallb.io/address-pool", "special")));
        assertThat(allocated(d).ips()).containsExactly("198.51.100.0");
        assertThat(refused(apply(svc("c").annotations(Map.of("metallb.io/address-pool", "nope"))), "UnknownPool").message()).contains("nope");
    }

    @Test
    void autoAssignFalsePoolIsNeverChosenByItself() {
        define(pool("manual", "192.0.2.0/24").toBuilder().setAutoAssign(false).build());
        assertThat(refused(apply(svc("a")), "NoPoolAvailable").message()).contains("auto-assign");
    }

    @Test
    void deprecatedAnnotationPrefixWorksWithAWarning() {
        define(pool("default", "192.0.2.0/24"));
        Outcome.Allocated a = allocated(apply(svc("a").annotations(Map.of("metallb.universe.tf/loadBalancerIPs", "192.0.2.77"))));
        assertThat(a.ips()).containsExactly("192.0.2.77");
        assertThat(a.warnings()).containsExactly("Service uses deprecated annotation metallb.universe.tf/loadBalancerIPs");
    }

    @Test
    void garbageAnnotationIsRefused() {
        define(pool("default", "192.0.2.0/24"));
        apply(svc("a"));
        assertThat(refused(apply(svc("a").annotations(Map.of("metallb.io/loadBalancerIPs", "192.0.2.1,banana"))), "InvalidAnnotation")
                .message()).contains("banana");
        assertThat(refused(apply(svc("b").annotations(Map.of("metallb.io/loadBalancerIPs", "192.0.2.1,192.0.2.2"))), "InvalidAnnotation")
                .message()).contains("two IPv4");
        assertThat(refused(apply(svc("c").annotations(Map.of("metallb.io/address-pool", "  "))), "InvalidAnnotation").message())
                .contains("address-pool");
        assertThat(refused(apply(svc("d").loadBalancerIp("300.1.1.1")), "InvalidLoadBalancerIP").message()).contains("300.1.1.1");
        assertThat(ipsOf("a")).containsExactly("192.0.2.0");
        assertThat(chain.state().servicesWithAssignments()).containsExactly(new ServiceKey("default", "a"));
    }

    @Test
    void classFiltering() {
        define(pool("default", "192.0.2.0/24"));
        assertThat(apply(svc("other").loadBalancerClass("example.com/lb")).outcome()).isInstanceOf(Outcome.NotOurs.class);
        assertThat(apply(svc("plain").loadBalancer(false)).outcome()).isInstanceOf(Outcome.NotOurs.class);
        assertThat(chain.state().assignedIpCount()).isZero();

        Allocator classed = new Allocator("allocator-0", "example.com/lb");
        ServiceRequest mine = svc("mine").loadBalancerClass("example.com/lb").build();
        assertThat(classed.serviceChanged(chain.state(), mine, cause("Service", "mine"), NOW).outcome())
                .isInstanceOf(Outcome.Allocated.class);
        assertThat(classed.serviceChanged(chain.state(), svc("noclass").build(), cause("Service", "noclass"), NOW).outcome())
                .isInstanceOf(Outcome.NotOurs.class);
    }

    @Test
    void serviceThatStopsBeingOursReleases() {
        define(pool("default", "192.0.2.0/24"));
        apply(svc("a"));
        Decision d = apply(svc("a").loadBalancer(false));
        assertThat(d.outcome()).isEqualTo(new Outcome.Released(List.of("192.0.2.0"), ReleaseReason.SERVICE_CHANGED));
        apply(svc("b"));
        assertThat(apply(svc("b").loadBalancerClass("other")).outcome()).isInstanceOf(Outcome.Released.class);
        assertThat(chain.state().assignedIpCount()).isZero();
    }

    @Test
    void avoidBuggyIpsSkipsDotZeroAndDot255() {
        define(pool("default", "192.0.2.255-192.0.3.1").toBuilder().setAvoidBuggyIps(true).build());
        assertThat(allocated(apply(svc("a"))).ips()).containsExactly("192.0.3.1");
        assertThat(refused(apply(svc("b")), "NoAvailableIP").message()).contains("default");
        assertThat(refused(apply(svc("c").loadBalancerIp("192.0.3.0")), "BuggyIP").message()).contains("avoidBuggyIPs");
    }

    @Test
    void rangesAreIteratedInTheOrderWritten() {
        define(pool("default", "192.0.2.10-192.0.2.11", "192.0.2.0/31"));
        assertThat(List.of(apply(svc("a")), apply(svc("b")), apply(svc("c")), apply(svc("d"))))
                .extracting(d -> allocated(d).ips().get(0))
                .containsExactly("192.0.2.10", "192.0.2.11", "192.0.2.0", "192.0.2.1");
        assertThat(refused(apply(svc("e")), "NoAvailableIP").message()).contains("no free");
    }

    @Test
    void ipv6Pool() {
        define(pool("v6", "2001:db8::/120"));
        Decision d = apply(svc("a").ipFamilies(IpFamily.V6));
        assertThat(allocated(d).ips()).containsExactly("2001:db8::");
        assertThat(allocated(apply(svc("b").ipFamilies(IpFamily.V6))).ips()).containsExactly("2001:db8::1");
    }

    @Test
    void ipv6RequestAgainstIpv4OnlyPoolsIsRefused() {
        define(pool("v4", "192.0.2.0/24"));
        assertThat(refused(apply(svc("a").ipFamilies(IpFamily.V6)), "FamilyUnavailable").message()).contains("IPv6");
        assertThat(refused(apply(svc("b").ipFamilies(IpFamily.V6).annotations(Map.of("metallb.io/loadBalancerIPs", "2001:db8::5"))),
                "IpNotInAnyPool").message()).contains("2001:db8::5");
    }

    @Test
    void dualStackPolicies() {
        define(pool("v4only", "192.0.2.0/24"));
        define(pool("zdual", "198.51.100.0/24", "2001:db8::/64"));
        // SingleStack takes the first family from the first pool that has it
        assertThat(allocated(apply(svc("single").ipFamilies(IpFamily.V4, IpFamily.V6))).pool()).isEqualTo("v4only");
        // PreferDualStack prefers a pool that gives both families (as MetalLB's findBestPoolForService)
        Outcome.Allocated prefer = allocated(apply(svc("prefer").ipFamilies(IpFamily.V4, IpFamily.V6)
                .ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK)));
        assertThat(prefer.pool()).isEqualTo("zdual");
        assertThat(prefer.ips()).containsExactly("198.51.100.0", "2001:db8::");
        // RequireDualStack skips pools lacking a family
        Outcome.Allocated require = allocated(apply(svc("require").ipFamilies(IpFamily.V6, IpFamily.V4)
                .ipFamilyPolicy(IpFamilyPolicy.REQUIRE_DUAL_STACK)));
        assertThat(require.pool()).isEqualTo("zdual");
        assertThat(require.ips()).containsExactly("198.51.100.1", "2001:db8::1");
        // with only one family free in the dual pool, PreferDualStack takes the first pool giving its primary family
        define(pool("zdual", "198.51.100.0/31", "2001:db8::/64"));
        Outcome.Allocated partial = allocated(apply(svc("prefer2").ipFamilies(IpFamily.V6, IpFamily.V4)
                .ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK)));
        assertThat(partial.pool()).isEqualTo("zdual");
        assertThat(partial.ips()).containsExactly("2001:db8::2");
    }

    @Test
    void requireDualStackWithoutADualPoolIsRefused() {
        define(pool("v4only", "192.0.2.0/24"));
        assertThat(refused(apply(svc("r").ipFamilies(IpFamily.V4, IpFamily.V6).ipFamilyPolicy(IpFamilyPolicy.REQUIRE_DUAL_STACK)),
                "FamilyUnavailable").message()).contains("RequireDualStack");
    }

    /** MetalLB's TestControllerMutation "RequireDualStack policy but single stack clusterip". */
    @Test
    void requireDualStackWithASingleStackServiceIsRefused() {
        define(pool("dual", "198.51.100.0/24", "2001:db8::/64"));
        assertThat(refused(apply(svc("r").ipFamilies(IpFamily.V4).ipFamilyPolicy(IpFamilyPolicy.REQUIRE_DUAL_STACK)),
                "SingleStackClusterIP").message()).contains("RequireDualStack").contains("single-stack");
        assertThat(ipsOf("r")).isEmpty();
    }

    @Test
    void switchingToDualStackKeepsTheIpv4AndAddsIpv6AndBackReleasesIpv6() {
        define(pool("dual", "198.51.100.0/24", "2001:db8::/64"));
        apply(svc("a"));
        Decision up = apply(svc("a").ipFamilies(IpFamily.V4, IpFamily.V6).ipFamilyPolicy(IpFamilyPolicy.REQUIRE_DUAL_STACK));
        assertThat(up.events()).singleElement().satisfies(e -> assertThat(e.getIpAssigned().getIp()).isEqualTo("2001:db8::"));
        assertThat(ipsOf("a")).containsExactly("198.51.100.0", "2001:db8::");
        Decision down = apply(svc("a"));
        assertThat(down.events()).singleElement().satisfies(e -> assertThat(e.getIpReleased().getReason()).isEqualTo(ReleaseReason.FAMILY_CHANGED));
        assertThat(ipsOf("a")).containsExactly("198.51.100.0");
    }

    @Test
    void serviceAllocationByPriorityThenNameThenAutoAssignPools() {
        define(pool("aaa-plain", "192.0.2.0/28"));
        define(withAllocation(pool("low", "192.0.2.16/28"), ServiceAllocation.newBuilder().setPriority(20).addNamespaces("default").build()));
        define(withAllocation(pool("high", "192.0.2.32/28"), ServiceAllocation.newBuilder().setPriority(10).addNamespaces("default").build()));
        define(withAllocation(pool("elsewhere", "192.0.2.48/28"), ServiceAllocation.newBuilder().setPriority(1).addNamespaces("prod").build()));
        assertThat(allocated(apply(svc("a"))).pool()).isEqualTo("high");
        Decision other = chain.commit(allocator.serviceChanged(chain.state(), ServiceRequest.builder("test", "x").build(),
                cause("Service", "x"), NOW));
        assertThat(allocated(other).pool()).isEqualTo("aaa-plain");
    }

    @Test
    void namespaceAndServiceSelectors() {
        define(pool("plain", "192.0.2.0/28"));
        LabelSelector team = LabelSelector.newBuilder().putMatchLabels("team", "blue").build();
        LabelSelector tier = LabelSelector.newBuilder().addMatchExpressions(LabelSelectorRequirement.newBuilder()
                .setKey("tier").setOperator("In").addValues("edge").addValues("gw")).build();
        define(withAllocation(pool("blue", "192.0.2.16/28"), ServiceAllocation.newBuilder().addNamespaceSelectors(team).build()));
        define(withAllocation(pool("edge", "192.0.2.32/28"), ServiceAllocation.newBuilder().setPriority(5).addServiceSelectors(tier).build()));
        assertThat(allocated(apply(svc("a").namespaceLabels(Map.of("team", "blue")))).pool()).isEqualTo("blue");
        assertThat(allocated(apply(svc("b").labels(Map.of("tier", "gw")).namespaceLabels(Map.of("team", "blue")))).pool()).isEqualTo("edge");
        assertThat(allocated(apply(svc("c").labels(Map.of("tier", "db")))).pool()).isEqualTo("plain");
    }

    @Test
    void aPoolAdmitsTheNamespacesItListsAndThoseItsSelectorsMatch() {
        define(pool("plain", "192.0.2.0/28"));
        define(withAllocation(pool("blue", "192.0.2.16/28"),
                ServiceAllocation.newBuilder().addNamespaces("listed").addNamespaceSelectors(TEAM_BLUE).build()));
        assertThat(allocated(apply(ServiceRequest.builder("listed", "a").uid("uid-listed-a"))).pool()).isEqualTo("blue");
        assertThat(allocated(apply(ServiceRequest.builder("labelled", "b").uid("uid-labelled-b").namespaceLabels(BLUE))).pool()).isEqualTo("blue");
        assertThat(allocated(apply(ServiceRequest.builder("other", "c").uid("uid-other-c").namespaceLabels(RED))).pool()).isEqualTo("plain");
        // selectors that match no namespace admit none (MetalLB would then admit every namespace)
        define(withAllocation(pool("nobody", "192.0.2.32/28"),
                ServiceAllocation.newBuilder().setPriority(1).addNamespaceSelectors(
                        LabelSelector.newBuilder().putMatchLabels("team", "nobody")).build()));
        assertThat(allocated(apply(ServiceRequest.builder("other", "d").uid("uid-other-d"))).pool()).isNotEqualTo("nobody");
    }

    @Test
    void aNamespaceThatStopsMatchingMovesItsServicesToAPoolThatSelectsThem() {
        define(pool("plain", "192.0.2.0/28"));
        LabelSelector team = LabelSelector.newBuilder().putMatchLabels("team", "blue").build();
        define(withAllocation(pool("blue", "192.0.2.16/28"), ServiceAllocation.newBuilder().addNamespaceSelectors(team).build()));
        assertThat(allocated(apply(svc("a").namespaceLabels(Map.of("team", "blue")))).ips()).containsExactly("192.0.2.16");
        // still matching (another label added): nothing recorded
        assertThat(apply(svc("a").namespaceLabels(Map.of("team", "blue", "env", "prod"))).events()).isEmpty();

        Decision moved = apply(svc("a").namespaceLabels(Map.of("team", "red")));
        assertThat(allocated(moved).pool()).isEqualTo("plain");
        assertThat(moved.events()).hasSize(2);
        assertThat(moved.events().get(0).getIpReleased().getReason()).isEqualTo(ReleaseReason.NO_LONGER_SELECTED);
        assertThat(moved.events().get(0).getIpReleased().getIp()).isEqualTo("192.0.2.16");
        assertThat(ipsOf("a")).containsExactly("192.0.2.0");
    }

    @Test
    void aServiceNoPoolSelectsAnyMoreLosesItsIpWithTheRefusal() {
        LabelSelector team = LabelSelector.newBuilder().putMatchLabels("team", "blue").build();
        define(withAllocation(pool("blue", "192.0.2.16/28"), ServiceAllocation.newBuilder().addNamespaceSelectors(team).build()));
        refused(apply(svc("a").namespaceLabels(Map.of())), "NoPoolAvailable");
        assertThat(allocated(apply(svc("a").namespaceLabels(Map.of("team", "blue")))).ips()).containsExactly("192.0.2.16");

        Decision lost = apply(svc("a").namespaceLabels(Map.of("team", "red")));
        assertThat(lost.outcome()).isInstanceOf(Outcome.Refused.class);
        assertThat(((Outcome.Refused) lost.outcome()).reason()).isEqualTo("NoPoolAvailable");
        assertThat(lost.events()).extracting(Event::getBodyCase)
                .containsExactly(Event.BodyCase.IP_RELEASED, Event.BodyCase.ALLOCATION_REFUSED);
        assertThat(lost.events().get(0).getIpReleased().getReason()).isEqualTo(ReleaseReason.NO_LONGER_SELECTED);
        assertThat(ipsOf("a")).isEmpty();
        // a refused change of request gives up what the Service held too, as in MetalLB
        apply(svc("b").namespaceLabels(Map.of("team", "blue")));
        Decision other = apply(svc("b").namespaceLabels(Map.of("team", "blue")).annotations(Map.of("metallb.io/address-pool", "nope")));
        assertThat(other.events()).extracting(Event::getBodyCase)
                .containsExactly(Event.BodyCase.IP_RELEASED, Event.BodyCase.ALLOCATION_REFUSED);
        assertThat(ipsOf("b")).isEmpty();
    }

    // ---- requested IPs and pools are checked against serviceAllocation too (as MetalLB's Assign does)

    static final LabelSelector TEAM_BLUE = LabelSelector.newBuilder().putMatchLabels("team", "blue").build();
    static final Map<String, String> BLUE = Map.of("team", "blue");
    static final Map<String, String> RED = Map.of("team", "red");

    @Test
    void aRequestedIpInAPoolThatDoesNotSelectTheServiceIsRefusedNamingThePoolAndWhy() {
        define(withAllocation(pool("blue", "192.0.2.16/28"), ServiceAllocation.newBuilder().addNamespaceSelectors(TEAM_BLUE).build()));

        Decision byAnnotation = apply(svc("a").annotations(Map.of("metallb.io/loadBalancerIPs", "192.0.2.20")).namespaceLabels(RED));
        assertThat(refused(byAnnotation, "PoolDoesNotSelectService").message()).isEqualTo("requested IP 192.0.2.20 is in pool blue,"
                + " whose serviceAllocation does not select this Service: namespace default {team=red}"
                + " is neither among its namespaces [] nor matched by its namespaceSelectors");
        Decision bySpec = apply(svc("b").loadBalancerIp("192.0.2.21"));
        assertThat(refused(bySpec, "PoolDoesNotSelectService").message())
                .contains("pool blue", "192.0.2.21", "namespace default (none)", "namespaceSelectors");
        assertThat(chain.state().servicesWithAssignments()).isEmpty();

        // once the namespace matches, the same request is met
        assertThat(allocated(apply(svc("a").annotations(Map.of("metallb.io/loadBalancerIPs", "192.0.2.20")).namespaceLabels(BLUE))).ips())
                .containsExactly("192.0.2.20");
    }

    @Test
    void aRequestedPoolThatDoesNotSelectTheServiceIsRefusedNamingThePoolAndWhy() {
        LabelSelector edge = LabelSelector.newBuilder().putMatchLabels("tier", "edge").build();
        define(withAllocation(pool("edge", "192.0.2.32/28"), ServiceAllocation.newBuilder().addServiceSelectors(edge).build()));
        define(withAllocation(pool("prod", "192.0.2.48/28").toBuilder().setAutoAssign(false).build(),
                ServiceAllocation.newBuilder().addNamespaces("prod").build()));

        Decision edgeRefused = apply(svc("a").annotations(Map.of("metallb.io/address-pool", "edge")).labels(Map.of("tier", "db")));
        assertThat(refused(edgeRefused, "PoolDoesNotSelectService").message()).isEqualTo("requested pool edge's serviceAllocation"
                + " does not select this Service: the Service's labels {tier=db} match none of its serviceSelectors");
        Decision prodRefused = apply(svc("b").annotations(Map.of("metallb.io/address-pool", "prod")));
        assertThat(refused(prodRefused, "PoolDoesNotSelectService").message())
                .contains("requested pool prod", "namespace default (none) is neither among its namespaces [prod]");
        assertThat(chain.state().servicesWithAssignments()).isEmpty();

        assertThat(allocated(apply(svc("a").annotations(Map.of("metallb.io/address-pool", "edge")).labels(Map.of("tier", "edge")))).ips())
                .containsExactly("192.0.2.32");
    }

    @Test
    void aRefusedRequestReleasesWhatTheServiceHeldEvenFromAPoolThatStillSelectsIt() {
        define(pool("plain", "192.0.2.0/28"));
        define(withAllocation(pool("blue", "192.0.2.16/28"), ServiceAllocation.newBuilder().addNamespaceSelectors(TEAM_BLUE).build()));
        assertThat(allocated(apply(svc("a"))).ips()).containsExactly("192.0.2.0");

        Decision d = apply(svc("a").annotations(Map.of("metallb.io/address-pool", "blue")));
        assertThat(d.events()).extracting(Event::getBodyCase)
                .containsExactly(Event.BodyCase.IP_RELEASED, Event.BodyCase.ALLOCATION_REFUSED);
        assertThat(ipsOf("a")).isEmpty();
        refused(apply(svc("a").annotations(Map.of("metallb.io/loadBalancerIPs", "192.0.2.17"))), "PoolDoesNotSelectService");
        assertThat(ipsOf("a")).isEmpty();
    }

    @Test
    void aRequestedIpOrPoolIsReleasedOnceItsPoolNoLongerSelectsTheService() {
        define(withAllocation(pool("blue", "192.0.2.16/28"), ServiceAllocation.newBuilder().addNamespaceSelectors(TEAM_BLUE).build()));
        define(pool("plain", "192.0.2.0/28"));
        ServiceRequest.Builder byIp = svc("a").annotations(Map.of("metallb.io/loadBalancerIPs", "192.0.2.20"));
        ServiceRequest.Builder byPool = svc("b").annotations(Map.of("metallb.io/address-pool", "blue"));
        assertThat(allocated(apply(byIp.namespaceLabels(BLUE))).ips()).containsExactly("192.0.2.20");
        assertThat(allocated(apply(byPool.namespaceLabels(BLUE))).ips()).containsExactly("192.0.2.16");
        // still selected (another label added): nothing recorded
        assertThat(apply(byIp.namespaceLabels(Map.of("team", "blue", "env", "prod"))).events()).isEmpty();

        for (ServiceRequest.Builder service : List.of(byIp, byPool)) {
            Decision lost = apply(service.namespaceLabels(RED));
            assertThat(((Outcome.Refused) lost.outcome()).reason()).isEqualTo("PoolDoesNotSelectService");
            assertThat(lost.events()).extracting(Event::getBodyCase)
                    .containsExactly(Event.BodyCase.IP_RELEASED, Event.BodyCase.ALLOCATION_REFUSED);
            assertThat(lost.events().get(0).getIpReleased().getReason()).isEqualTo(ReleaseReason.NO_LONGER_SELECTED);
            assertThat(lost.events().get(1).getAllocationRefused().getMessage()).contains("pool blue");
        }
        // a requested pool or IP never moves to another pool, even one that would select the Service
        assertThat(ipsOf("a")).isEmpty();
        assertThat(ipsOf("b")).isEmpty();
        assertThat(refused(apply(byPool.namespaceLabels(RED)), "PoolDoesNotSelectService").message()).contains("pool blue");
    }

    @Test
    void aRequestedIpIsReleasedOnceThePoolsSelectorsChange() {
        define(withAllocation(pool("blue", "192.0.2.16/28"), ServiceAllocation.newBuilder().addNamespaceSelectors(TEAM_BLUE).build()));
        ServiceRequest.Builder byIp = svc("a").loadBalancerIp("192.0.2.20").namespaceLabels(BLUE);
        assertThat(allocated(apply(byIp)).ips()).containsExactly("192.0.2.20");

        LabelSelector teamGreen = LabelSelector.newBuilder().putMatchLabels("team", "green").build();
        Decision changed = define(withAllocation(pool("blue", "192.0.2.16/28"),
                ServiceAllocation.newBuilder().addNamespaceSelectors(teamGreen).build()));
        assertThat(changed.events()).extracting(Event::getBodyCase).containsExactly(Event.BodyCase.POOL_DEFINED);

        Decision lost = apply(byIp);
        assertThat(lost.events()).extracting(Event::getBodyCase)
                .containsExactly(Event.BodyCase.IP_RELEASED, Event.BodyCase.ALLOCATION_REFUSED);
        assertThat(lost.events().get(0).getIpReleased().getReason()).isEqualTo(ReleaseReason.NO_LONGER_SELECTED);
        assertThat(ipsOf("a")).isEmpty();
    }

    @Test
    void sharingWithTheSameKeyAndDistinctPorts() {
        define(pool("default", "192.0.2.0/24"));
        Map<String, String> key = Map.of("metallb.io/allow-shared-ip", "k1");
        apply(svc("a").annotations(key).ports(Port.tcp(80)));
        assertThat(allocated(apply(svc("b").annotations(key).ports(Port.tcp(443), Port.udp(80)))).ips()).containsExactly("192.0.2.0");
        assertThat(chain.state().holders("192.0.2.0")).hasSize(2);
        // a port clash moves on to the next IP; another key or no key never shares
        assertThat(allocated(apply(svc("c").annotations(key).ports(Port.tcp(80)))).ips()).containsExactly("192.0.2.1");
        assertThat(allocated(apply(svc("d").annotations(Map.of("metallb.io/allow-shared-ip", "k2")).ports(Port.tcp(22)))).ips())
                .containsExactly("192.0.2.2");
        assertThat(allocated(apply(svc("e").ports(Port.tcp(22)))).ips()).containsExactly("192.0.2.3");
    }

    @Test
    void requestedSharedIpWithPortClashIsASharingConflict() {
        define(pool("default", "192.0.2.0/24"));
        Map<String, String> key = Map.of("metallb.io/allow-shared-ip", "k1", "metallb.io/loadBalancerIPs", "192.0.2.9");
        apply(svc("a").annotations(key).ports(Port.tcp(80)));
        assertThat(refused(apply(svc("b").annotations(key).ports(Port.tcp(80))), "SharingConflict").message()).contains("80/TCP");
        assertThat(allocated(apply(svc("c").annotations(key).ports(Port.tcp(81)))).ips()).containsExactly("192.0.2.9");
        assertThat(ipsOf("a")).containsExactly("192.0.2.9");
    }

    /** Issue 12 #6: a refusal names what the Service itself wrote, and does not invent a sharing key. */
    @Test
    void refusalMessagesSayWhatTheServiceWrote() {
        define(pool("default", "192.0.2.0/24"));
        apply(svc("a").annotations(Map.of("metallb.io/allow-shared-ip", "k1", "metallb.io/loadBalancerIPs", "192.0.2.9"))
                .ports(Port.tcp(80)));
        String noKey = refused(apply(svc("b").annotations(Map.of("metallb.io/loadBalancerIPs", "192.0.2.9")).ports(Port.tcp(81))),
                "IpInUse").message();
        assertThat(noKey).contains("has no allow-shared-ip annotation").doesNotContain("under allow-shared-ip key");

        String deprecated = refused(apply(svc("c").loadBalancerIp("192.0.2.10")
                .annotations(Map.of("metallb.universe.tf/loadBalancerIPs", "192.0.2.10"))), "ConflictingRequest").message();
        assertThat(deprecated).contains("metallb.universe.tf/loadBalancerIPs").doesNotContain("metallb.io/loadBalancerIPs");
    }

    @Test
    void localTrafficPolicySharesOnlyWithTheSameBackends() {
        define(pool("default", "192.0.2.0/24"));
        Map<String, String> key = Map.of("metallb.io/allow-shared-ip", "k1", "metallb.io/loadBalancerIPs", "192.0.2.9");
        apply(svc("a").annotations(key).ports(Port.tcp(80)).trafficPolicyLocal(true).backendKey("app=web"));
        assertThat(refused(apply(svc("b").annotations(key).ports(Port.tcp(81)).trafficPolicyLocal(true).backendKey("app=api")),
                "SharingConflict").message()).contains("externalTrafficPolicy Local");
        assertThat(allocated(apply(svc("c").annotations(key).ports(Port.tcp(82)).trafficPolicyLocal(true).backendKey("app=web"))).ips())
                .containsExactly("192.0.2.9");
        assertThat(refused(apply(svc("d").annotations(key).ports(Port.tcp(83)).backendKey("app=other")), "SharingConflict"));
    }

    @Test
    void poolChangeReleasesOnlyTheIpsThatLeftItWithTheReasonInTheLedger() {
        define(pool("default", "192.0.2.0/24"));
        apply(svc("a"));
        apply(svc("b"));
        apply(svc("c").loadBalancerIp("192.0.2.200"));
        Decision change = define(pool("default", "192.0.2.0/25"));
        assertThat(change.outcome()).isEqualTo(new Outcome.PoolUpdated("default", List.of(new ServiceKey("default", "c"))));
        assertThat(change.events()).hasSize(2);
        assertThat(change.events().get(1).getIpReleased().getReason()).isEqualTo(ReleaseReason.POOL_CHANGED);
        assertThat(change.events().get(1).getIpReleased().getIp()).isEqualTo("192.0.2.200");
        assertThat(ipsOf("a")).containsExactly("192.0.2.0");
        assertThat(ipsOf("b")).containsExactly("192.0.2.1");
        // the adapter re-runs c: its request is now outside every pool
        refused(apply(svc("c").loadBalancerIp("192.0.2.200")), "IpNotInAnyPool");
        assertThat(allocated(apply(svc("c"))).ips()).containsExactly("192.0.2.2");
    }

    @Test
    void poolRemovalReleasesItsIpsAndOtherServicesMoveNowhere() {
        define(pool("a-pool", "192.0.2.0/24"));
        define(pool("b-pool", "198.51.100.0/24"));
        apply(svc("a"));
        apply(svc("b").annotations(Map.of("metallb.io/address-pool", "b-pool")));
        Decision removed = chain.commit(allocator.poolRemoved(chain.state(), "a-pool", cause("IPAddressPool", "a-pool"), NOW));
        assertThat(removed.events()).extracting(e -> e.getBodyCase().name()).containsExactly("IP_RELEASED", "CONFIG_REMOVED");
        assertThat(removed.events().get(0).getIpReleased().getReason()).isEqualTo(ReleaseReason.POOL_REMOVED);
        assertThat(chain.state().pools()).containsOnlyKeys("b-pool");
        assertThat(ipsOf("b")).containsExactly("198.51.100.0");
        assertThat(allocated(apply(svc("a"))).ips()).containsExactly("198.51.100.1");
    }

    @Test
    void malformedAndOverlappingPoolsAreRefusedWithoutEvents() {
        define(pool("default", "192.0.2.0/24"));
        apply(svc("a"));
        Decision malformed = allocator.poolDefined(chain.state(), pool("bad", "192.0.2.0/33"), cause("IPAddressPool", "bad"), NOW);
        assertThat(malformed.events()).isEmpty();
        assertThat(((Outcome.Refused) malformed.outcome()).message()).contains("malformed CIDR").contains("/33");
        Decision reversed = allocator.poolDefined(chain.state(), pool("rev", "10.99.0.9-10.99.0.1"), cause("IPAddressPool", "rev"), NOW);
        assertThat(((Outcome.Refused) reversed.outcome()).message()).contains("reversed");
        Decision overlap = allocator.poolDefined(chain.state(), pool("later", "192.0.2.128/25"), cause("IPAddressPool", "later"), NOW);
        assertThat(overlap.events()).isEmpty();
        assertThat(((Outcome.Refused) overlap.outcome()).reason()).isEqualTo("OverlappingPool");
        assertThat(((Outcome.Refused) overlap.outcome()).message()).contains("later").contains("default");
        assertThat(ipsOf("a")).containsExactly("192.0.2.0");
        assertThat(chain.state().pools()).containsOnlyKeys("default");
    }

    @Test
    void sameStateAndInputGiveTheSameEventsWithoutChangingTheState() {
        define(pool("default", "192.0.2.0/24"));
        apply(svc("a"));
        delete("a");
        LedgerState before = chain.state().copy();
        ServiceRequest b = svc("b").ports(Port.tcp(80)).build();
        Decision first = allocator.serviceChanged(chain.state(), b, cause("Service", "b"), NOW);
        Decision fresh = new Allocator("allocator-0", null).serviceChanged(chain.state(), b, cause("Service", "b"), NOW);
        assertThat(fresh).isEqualTo(first);
        assertThat(chain.state()).isEqualTo(before);
    }

    @Test
    void poolUsageCountsAssignedAndAvailable() {
        define(pool("default", "192.0.2.0/24", "2001:db8::/126").toBuilder().setAvoidBuggyIps(true).build());
        apply(svc("a"));
        apply(svc("b").ipFamilies(IpFamily.V6));
        apply(svc("c").annotations(Map.of("metallb.io/allow-shared-ip", "k")).ports(Port.tcp(1)));
        apply(svc("d").annotations(Map.of("metallb.io/allow-shared-ip", "k")).ports(Port.tcp(2)));
        assertThat(allocator.usage(chain.state(), "default")).isEqualTo(new PoolUsage(2, 1, 254 - 2, 4 - 1));
        assertThat(allocator.usage(chain.state(), "unknown")).isEqualTo(new PoolUsage(0, 0, 0, 0));
    }
}
