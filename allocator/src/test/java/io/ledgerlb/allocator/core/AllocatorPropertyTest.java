package io.ledgerlb.allocator.core;

import static io.ledgerlb.allocator.core.Fixtures.NOW;
import static io.ledgerlb.allocator.core.Fixtures.cause;
import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.events.v1.ServicePort;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpFamily;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Random churn of pools and Services, every decision sealed onto a chain and folded: no IP is ever
 * held by two Services that may not share it, every holding is inside its pool, a Service just
 * decided holds only IPs whose pool selects it (requested or not), the state equals
 * the replay of the ledger and its snapshot round trip, and a fresh allocator (rebuilding its cache
 * from the state) decides exactly what the long-lived one (following the fold) decides.
 */
class AllocatorPropertyTest {
    private static final List<String> RANGES = List.of("10.99.0.0/29", "10.99.0.8/30", "10.99.0.4-10.99.0.9",
            "10.99.1.0/31", "fd00:99::/126", "fd00:99::10-fd00:99::11", "10.99.0.0/40", "10.99.2.9-10.99.2.1");
    private static final Set<String> BAD_RANGES = Set.of("10.99.0.0/40", "10.99.2.9-10.99.2.1");
    private static final List<Port> PORTS = List.of(Port.tcp(80), Port.tcp(443), Port.udp(53));

    sealed interface Action {}

    record DefinePool(PoolDefined pool) implements Action {}

    record RemovePool(String name) implements Action {}

    record UpsertService(ServiceRequest service) implements Action {}

    record DeleteService(String name) implements Action {}

    @Property(tries = 100, edgeCases = EdgeCasesMode.NONE)
    void churnKeepsTheLedgerConsistent(@ForAll("actions") @Size(min = 5, max = 60) List<Action> actions) throws Exception {
        Allocator allocator = new Allocator("allocator-0", null);
        InMemoryChain chain = new InMemoryChain(allocator);
        List<Action> all = new ArrayList<>();
        all.add(new DefinePool(PoolDefined.newBuilder().setName("p1").setAutoAssign(true)
                .addAddresses("10.99.0.0/29").addAddresses("fd00:99::/126").build()));
        all.addAll(actions);
        for (Action action : all) {
            LedgerState before = chain.state().copy();
            Decision decision = decide(allocator, chain.state(), action);
            Decision fresh = decide(new Allocator("allocator-0", null), chain.state(), action);
            assertThat(fresh).as("a fresh allocator decides the same for %s", action).isEqualTo(decision);
            assertThat(chain.state()).as("the step does not change the state").isEqualTo(before);
            Statistics.label("outcome").collect(decision.outcome().getClass().getSimpleName()
                    + (decision.outcome() instanceof Outcome.Refused r ? " " + r.reason() : ""));
            chain.commit(decision);
            checkInvariants(chain);
            if (action instanceof UpsertService upsert) {
                checkSelected(chain.state(), upsert.service());
            }
        }
    }

    private static Decision decide(Allocator allocator, LedgerState state, Action action) {
        if (action instanceof DefinePool a) {
            return allocator.poolDefined(state, a.pool(), cause("IPAddressPool", a.pool().getName()), NOW);
        } else if (action instanceof RemovePool a) {
            return allocator.poolRemoved(state, a.name(), cause("IPAddressPool", a.name()), NOW);
        } else if (action instanceof UpsertService a) {
            return allocator.serviceChanged(state, a.service(), cause("Service", a.service().key().name()), NOW);
        } else {
            String name = ((DeleteService) action).name();
            return allocator.serviceDeleted(state, new ServiceKey("default", name), cause("Service", name), NOW);
        }
    }

    private static void checkInvariants(InMemoryChain chain) throws Exception {
        LedgerState state = chain.state();
        assertThat(chain.replay()).isEqualTo(state);
        assertThat(LedgerState.fromSnapshot(state.toSnapshot())).isEqualTo(state);
        Map<ServiceKey, Set<IpFamily>> families = new HashMap<>();
        for (ServiceKey service : state.servicesWithAssignments()) {
            for (IpAssigned holding : state.assignmentsOf(service)) {
                IpAddress ip = IpAddress.parse(holding.getIp());
                PoolDefined pool = state.pools().get(holding.getPool());
                assertThat(pool).as("pool of %s", holding).isNotNull();
                assertThat(PoolSpec.of(pool).usable(ip)).as("%s inside its pool", holding.getIp()).isTrue();
                assertThat(families.computeIfAbsent(service, s -> new HashSet<>()).add(ip.family()))
                        .as("%s holds one IP per family", service).isTrue();
                List<IpAssigned> holders = new ArrayList<>(state.holders(holding.getIp()));
                for (IpAssigned other : holders) {
                    if (!other.getService().equals(holding.getService())) {
                        assertMayShare(holding, other);
                    }
                }
            }
        }
    }

    /** Whatever the Service asked for, the pools it holds IPs from select it. */
    private static void checkSelected(LedgerState state, ServiceRequest service) {
        for (IpAssigned holding : state.assignmentsOf(service.key())) {
            PoolSpec pool = PoolSpec.of(state.pools().get(holding.getPool()));
            assertThat(pool.whyNotSelected(service)).as("%s holds %s from %s", service.key(), holding.getIp(), pool.name())
                    .isNull();
        }
    }

    private static void assertMayShare(IpAssigned a, IpAssigned b) {
        assertThat(a.getSharingKey()).as("%s and %s share a key", a.getService().getName(), b.getService().getName())
                .isNotEmpty().isEqualTo(b.getSharingKey());
        Set<ServicePort> ports = new HashSet<>(a.getPortsList());
        assertThat(b.getPortsList()).as("no port clash on %s", a.getIp()).noneMatch(ports::contains);
        if (a.getTrafficPolicyLocal() || b.getTrafficPolicyLocal()) {
            assertThat(a.getBackendKey()).isEqualTo(b.getBackendKey());
        }
    }

    @Provide
    Arbitrary<List<Action>> actions() {
        Arbitrary<Action> action = Arbitraries.frequencyOf(
                Tuple.of(2, definePool()),
                Tuple.of(1, Arbitraries.of("p1", "p2", "p3").map(RemovePool::new)),
                Tuple.of(6, upsertService()),
                Tuple.of(2, serviceName().map(DeleteService::new)));
        return action.list();
    }

    private Arbitrary<String> serviceName() {
        return Arbitraries.of("s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7");
    }

    /** Mostly valid ranges, sometimes a malformed or reversed one. */
    private static Arbitrary<String> range() {
        List<Tuple.Tuple2<Integer, String>> weighted = RANGES.stream()
                .map(r -> Tuple.of(BAD_RANGES.contains(r) ? 1 : 6, r)).toList();
        return Arbitraries.frequency(weighted);
    }

    private Arbitrary<Action> definePool() {
        return Combinators.combine(
                Arbitraries.of("p1", "p2", "p3"),
                range().set().ofMinSize(1).ofMaxSize(2),
                Arbitraries.integers().between(0, 9).map(i -> i < 8), // autoAssign mostly
                Arbitraries.of(true, false),
                Arbitraries.of(0, 0, 1, 2),
                Arbitraries.of("default", "default", "prod")) // every Service is in "default"
                .as((name, ranges, autoAssign, avoidBuggy, priority, namespace) -> {
                    PoolDefined.Builder pool = PoolDefined.newBuilder().setName(name).addAllAddresses(ranges)
                            .setAutoAssign(autoAssign).setAvoidBuggyIps(avoidBuggy);
                    if (priority > 0) {
                        pool.getServiceAllocationBuilder().setPriority(priority).addNamespaces(namespace);
                    }
                    return (Action) new DefinePool(pool.build());
                });
    }

    private Arbitrary<Action> upsertService() {
        Arbitrary<Map<String, String>> annotations = Combinators.combine(
                Arbitraries.of("", "", "k1", "k2"),
                Arbitraries.of("", "", "", "", "", "", "p1", "p2"),
                Arbitraries.of("", "", "", "", "", "", "", "", "10.99.0.3", "10.99.0.9", "fd00:99::1", "10.99.1.1", "banana"))
                .as((key, pool, ip) -> {
                    Map<String, String> map = new HashMap<>();
                    if (!key.isEmpty()) {
                        map.put("metallb.io/allow-shared-ip", key);
                    }
                    if (!pool.isEmpty()) {
                        map.put("metallb.io/address-pool", pool);
                    }
                    if (!ip.isEmpty()) {
                        map.put("metallb.io/loadBalancerIPs", ip);
                    }
                    return map;
                });
        Arbitrary<List<IpFamily>> families = Arbitraries.of(
                List.of(IpFamily.V4), List.of(IpFamily.V4), List.of(IpFamily.V6),
                List.of(IpFamily.V4, IpFamily.V6), List.of(IpFamily.V6, IpFamily.V4));
        return Combinators.combine(
                serviceName(),
                annotations,
                families,
                Arbitraries.of(IpFamilyPolicy.class),
                Arbitraries.of(PORTS).set().ofMaxSize(2),
                Arbitraries.of(true, false),
                Arbitraries.of("app=a", "app=b"),
                Arbitraries.integers().between(0, 19))
                .as((name, ann, fams, policy, ports, local, backend, kind) -> (Action) new UpsertService(
                        ServiceRequest.builder("default", name)
                                .uid("uid-" + name)
                                .annotations(ann)
                                .ipFamilies(fams)
                                .ipFamilyPolicy(policy)
                                .ports(List.copyOf(ports))
                                .trafficPolicyLocal(local)
                                .backendKey(backend)
                                .loadBalancer(kind != 0)
                                .loadBalancerClass(kind == 1 ? "other" : null)
                                .build()));
    }
}
