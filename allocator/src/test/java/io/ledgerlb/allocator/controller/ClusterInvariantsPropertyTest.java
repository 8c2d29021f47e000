package io.ledgerlb.allocator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.ledgerlb.allocator.controller.ConformanceTable.Pool;
import io.ledgerlb.allocator.controller.ConformanceTable.Svc;
import io.ledgerlb.allocator.core.Allocator;
import io.ledgerlb.allocator.core.Outcome;
import io.ledgerlb.allocator.core.ServiceRequest;
import io.ledgerlb.allocator.k8s.adapter.ServiceRequests;
import io.ledgerlb.events.v1.Cause;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;

/**
 * Random histories of creates, updates and deletes of Services (two namespaces; sharing keys under
 * either prefix, requested pools and IPs by annotation or spec.loadBalancerIP, invalid requests,
 * single-stack, PreferDualStack and RequireDualStack, Local and Cluster backends, status IPs seen
 * on creation, a change of type away from LoadBalancer) and of pools (defined, redefined with other
 * addresses, autoAssign, avoidBuggyIPs and namespace scope, removed). After every step:
 * <ol>
 *   <li>(a) no IP is held by two Services whose <em>current</em> annotations, ports and backends do
 *       not allow them to share it;</li>
 *   <li>(b) no Service that could get an IP stays without one (deciding it again now, on the
 *       committed state, would still refuse it);</li>
 *   <li>(e) deciding any Service again records nothing but a refusal it already had;</li>
 *   <li>(d) the state equals the replay of the ledger (and, at the end, its snapshot round trip);</li>
 *   <li>(c) through the real controller (fewer tries): every Service's status equals the ledger, its
 *       state equals the replay of its Kafka ledger, and it decides exactly what the pure step with
 *       the controller's rules decides.</li>
 * </ol>
 * The pools never overlap (each name has its own address space), so every pool step is recorded.
 * The pure property runs jqwik's default number of tries (1,000); a long run raises it with
 * {@code -Djqwik.tries.default=20000}. The controller property (Kafka, mock API) runs 3 histories of
 * 8 to 16 steps.
 */
class ClusterInvariantsPropertyTest {

    sealed interface Action {}

    record DefinePool(Pool pool) implements Action {}

    record RemovePool(String name) implements Action {}

    record ApplyService(Svc svc) implements Action {}

    record DeleteService(ServiceKey key) implements Action {}

    @Property(edgeCases = EdgeCasesMode.NONE)
    void pureStepKeepsTheInvariants(@ForAll("histories") @Size(min = 1, max = 40) List<Action> history) throws Exception {
        PureDriver driver = new PureDriver();
        for (Action action : history) {
            apply(driver, action);
            checkSharing(driver.state(), driver.services);
            checkNobodyWaitsInVain(driver.state(), driver.services);
            checkDecidingAgainChangesNothing(driver.state(), driver.services, action);
            assertThat(driver.chain.replay()).as("state == replay after %s", action).isEqualTo(driver.state());
        }
        assertThat(LedgerState.fromSnapshot(driver.state().toSnapshot())).isEqualTo(driver.state());
    }

    @Property(tries = 3, edgeCases = EdgeCasesMode.NONE)
    void theControllerDecidesAsThePureStepAndItsStatusEqualsTheLedger(
            @ForAll("histories") @Size(min = 8, max = 16) List<Action> history) throws Exception {
        PureDriver pure = new PureDriver();
        try (ControllerDriver controller = new ControllerDriver()) {
            for (Action action : history) {
                apply(pure, action);
                apply(controller, action); // waits until every status equals the ledger
                assertThat(controller.statusMatchesLedger()).isTrue();
                for (ServiceKey key : allKeys(pure.state(), controller.state())) {
                    assertThat(controller.holds(key)).as("%s after %s", key, action).isEqualTo(pure.holds(key));
                }
                assertThat(controller.ledger.stateAt(controller.ledger.lastSequence()).equals(controller.state())).isTrue();
            }
        }
    }

    private static Set<ServiceKey> allKeys(LedgerState a, LedgerState b) {
        Set<ServiceKey> keys = new HashSet<>(a.servicesWithAssignments());
        keys.addAll(b.servicesWithAssignments());
        return keys;
    }

    private static void apply(ConformanceDriver driver, Action action) throws Exception {
        if (action instanceof DefinePool d) {
            driver.definePool(d.pool());
        } else if (action instanceof RemovePool r) {
            driver.removePool(r.name());
        } else if (action instanceof ApplyService a) {
            driver.apply(a.svc());
        } else if (action instanceof DeleteService d) {
            driver.delete(d.key());
        }
    }

    /** (a): holders of one IP may share it under their current annotations, ports and backends. */
    private static void checkSharing(LedgerState state, Map<ServiceKey, Service> services) {
        for (ServiceKey holder : state.servicesWithAssignments()) {
            assertThat(services).as("%s holds IPs but does not exist", holder).containsKey(holder);
            for (IpAssigned holding : state.assignmentsOf(holder)) {
                for (IpAssigned other : state.holders(holding.getIp())) {
                    ServiceKey otherKey = ServiceKey.of(other.getService());
                    if (!otherKey.equals(holder)) {
                        assertMayShare(ServiceRequests.of(services.get(holder), Map.of()),
                                ServiceRequests.of(services.get(otherKey), Map.of()), holding.getIp());
                    }
                }
            }
        }
    }

    private static void assertMayShare(ServiceRequest a, ServiceRequest b, String ip) {
        String keyA = sharingKey(a);
        assertThat(keyA).as("%s and %s share %s: both allow sharing under one key", a.key(), b.key(), ip)
                .isNotEmpty().isEqualTo(sharingKey(b));
        assertThat(a.ports()).as("%s and %s share %s without a common port", a.key(), b.key(), ip)
                .noneMatch(b.ports()::contains);
        assertThat(a.trafficPolicyLocal() ? a.backendKey() : "")
                .as("%s and %s share %s with the same backend key", a.key(), b.key(), ip)
                .isEqualTo(b.trafficPolicyLocal() ? b.backendKey() : "");
    }

    private static String sharingKey(ServiceRequest s) {
        String key = s.annotations().getOrDefault("metallb.io/allow-shared-ip",
                s.annotations().getOrDefault("metallb.universe.tf/allow-shared-ip", ""));
        return key.trim();
    }

    /** (b): a Service without IPs would be refused again now. */
    private static void checkNobodyWaitsInVain(LedgerState state, Map<ServiceKey, Service> services) {
        Allocator fresh = new Allocator("check", null);
        for (Map.Entry<ServiceKey, Service> s : services.entrySet()) {
            if (state.assignmentsOf(s.getKey()).isEmpty()) {
                Outcome outcome = fresh.serviceChanged(state, ServiceRequests.of(s.getValue(), Map.of()),
                        Cause.getDefaultInstance(), PureDriver.NOW).outcome();
                assertThat(outcome).as("%s holds nothing but could get an IP", s.getKey())
                        .isInstanceOfAny(Outcome.Refused.class, Outcome.NotOurs.class);
            }
        }
    }

    /**
     * (e): deciding any Service again on the committed state records nothing: what a step decided
     * is what every later re-decision (a resync, a restart, a pool event) keeps.
     */
    private static void checkDecidingAgainChangesNothing(LedgerState state, Map<ServiceKey, Service> services, Action after) {
        Allocator fresh = new Allocator("check", null);
        for (Map.Entry<ServiceKey, Service> s : services.entrySet()) {
            var decision = fresh.serviceChanged(state, ServiceRequests.of(s.getValue(), Map.of()),
                    Cause.getDefaultInstance(), PureDriver.NOW);
            assertThat(decision.events().stream().filter(e -> !e.hasAllocationRefused()).toList())
                    .as("deciding %s again after %s", s.getKey(), after).isEmpty();
        }
    }

    // ---- generators

    @Provide
    Arbitrary<List<Action>> histories() {
        Arbitrary<Action> action = Arbitraries.frequencyOf(
                Tuple.of(2, pool()),
                Tuple.of(1, Arbitraries.of("p1", "p2", "p3").map(RemovePool::new)),
                Tuple.of(8, service()),
                Tuple.of(3, Combinators.combine(namespace(), serviceName()).as((ns, name) -> new DeleteService(new ServiceKey(ns, name)))));
        return action.list();
    }

    private static Arbitrary<String> serviceName() {
        return Arbitraries.of("s0", "s1", "s2", "s3", "s4", "s5");
    }

    /** Mostly the default namespace (which the pools may be scoped to), some in prod. */
    private static Arbitrary<String> namespace() {
        return Arbitraries.of(ConformanceTable.NAMESPACE, ConformanceTable.NAMESPACE, ConformanceTable.NAMESPACE, "prod");
    }

    /** Each pool name has its own address space, in several sizes: they never overlap. */
    private static Arbitrary<Action> pool() {
        Map<String, List<List<String>>> shapes = new TreeMap<>(Map.of(
                "p1", List.of(List.of("10.99.0.0/31"), List.of("10.99.0.0/30"), List.of("10.99.0.1/32"), List.of("10.99.0.0/32")),
                "p2", List.of(List.of("10.99.1.0/31", "fd00:99:1::/127"), List.of("10.99.1.0/32", "fd00:99:1::/128"),
                        List.of("fd00:99:1::/127")),
                "p3", List.of(List.of("10.99.2.255-10.99.3.1"), List.of("10.99.2.0/32", "fd00:99:2::/128"))));
        return Arbitraries.of("p1", "p2", "p3").flatMap(name -> Combinators.combine(
                Arbitraries.of(shapes.get(name)),
                Arbitraries.of(true, true, true, false),
                Arbitraries.of(false, false, true),
                Arbitraries.of("", "", "default", "prod"),
                Arbitraries.of(0, 1, 2))
                .as((addresses, auto, buggy, ns, priority) -> {
                    Pool p = new Pool(name, addresses, auto, buggy, List.of(), Map.of(), 0);
                    if (!ns.isEmpty()) {
                        p = p.forNamespaces(ns).priority(priority);
                    }
                    return (Action) new DefinePool(p);
                }));
    }

    private static Arbitrary<Action> service() {
        Arbitrary<String> key = Arbitraries.of("", "", "k1", "k2");
        Arbitrary<String> pool = Arbitraries.of("", "", "", "", "p1", "p2", "p3");
        Arbitrary<String> ips = Arbitraries.of("", "", "", "", "", "10.99.0.1", "10.99.1.0", "fd00:99:1::1",
                "10.99.1.1,fd00:99:1::", "banana", "spec:10.99.0.0", "spec:10.99.2.0");
        Arbitrary<List<String>> ports = Arbitraries.of("tcp/80", "tcp/443", "udp/53").set().ofMaxSize(2)
                .map(set -> new ArrayList<>(set).stream().sorted().toList());
        Arbitrary<String[]> families = Arbitraries.of(new String[] {null, "IPv4"}, new String[] {null, "IPv4"},
                new String[] {null, "IPv6"}, new String[] {"PreferDualStack", "IPv4", "IPv6"},
                new String[] {"RequireDualStack", "IPv6", "IPv4"}, new String[] {"PreferDualStack", "IPv4"});
        Arbitrary<String> backend = Arbitraries.of("cluster-a", "cluster-b", "local-a", "local-b");
        Arbitrary<Boolean> deprecatedPrefix = Arbitraries.of(false, false, false, true);
        // what a Service's status shows when it is first seen (MetalLB's IPs, say); kept only then
        Arbitrary<List<String>> status = Arbitraries.of(List.of(), List.of(), List.of(), List.of("10.99.0.0"),
                List.of("10.99.1.1"), List.of("10.99.1.0", "fd00:99:1::"), List.of("10.99.2.0"), List.of("192.0.2.1"));
        Arbitrary<String> type = Arbitraries.of("LoadBalancer", "LoadBalancer", "LoadBalancer", "LoadBalancer", "LoadBalancer",
                "ClusterIP");
        Arbitrary<Svc> shape = Combinators.combine(namespace(), serviceName(), ports, families, backend, status, type)
                .as((ns, name, ps, fam, be, st, ty) -> {
                    Svc svc = Svc.of(name).in(ns).ports(ps.toArray(String[]::new))
                            .families(fam[0], java.util.Arrays.copyOfRange(fam, 1, fam.length))
                            .status(st.toArray(String[]::new)).type(ty);
                    return be.startsWith("local") ? svc.backend(be.substring(6)) : svc.selector(be.substring(8));
                });
        return Combinators.combine(shape, key, pool, ips, deprecatedPrefix)
                .as((svc, k, p, ip, deprecated) -> {
                    String prefix = deprecated ? "metallb.universe.tf/" : "metallb.io/";
                    if (!k.isEmpty()) {
                        svc = svc.annotate(prefix + "allow-shared-ip", k);
                    }
                    if (!p.isEmpty()) {
                        svc = svc.annotate(prefix + "address-pool", p);
                    }
                    if (ip.startsWith("spec:")) {
                        svc = svc.specIp(ip.substring("spec:".length()));
                    } else if (!ip.isEmpty()) {
                        svc = svc.annotate(prefix + "loadBalancerIPs", ip);
                    }
                    return (Action) new ApplyService(svc);
                });
    }
}
