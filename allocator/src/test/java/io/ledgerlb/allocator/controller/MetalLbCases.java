package io.ledgerlb.allocator.controller;

import static io.ledgerlb.allocator.controller.ConformanceTable.Expect.gets;
import static io.ledgerlb.allocator.controller.ConformanceTable.Expect.none;
import static io.ledgerlb.allocator.controller.ConformanceTable.Expect.refusedHolding;

import io.ledgerlb.allocator.controller.ConformanceTable.Apply;
import io.ledgerlb.allocator.controller.ConformanceTable.Case;
import io.ledgerlb.allocator.controller.ConformanceTable.DefinePool;
import io.ledgerlb.allocator.controller.ConformanceTable.Delete;
import io.ledgerlb.allocator.controller.ConformanceTable.Expect;
import io.ledgerlb.allocator.controller.ConformanceTable.Pool;
import io.ledgerlb.allocator.controller.ConformanceTable.Scenario;
import io.ledgerlb.allocator.controller.ConformanceTable.Svc;
import io.ledgerlb.ledger.state.ServiceKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * MetalLB v0.16.1's allocator and controller test tables, ported case by case: the inputs and the
 * expected outcomes are MetalLB's (each case names its test and row); the way they are expressed is
 * a user's — Services with annotations, pools as IPAddressPools. Where MetalLB's table calls the
 * allocator directly, the port says how a user reaches the same call:
 * <ul>
 *   <li>{@code Assign(key, ips, ports, sharingKey, backendKey)} is a Service requesting {@code ips}
 *       ({@code metallb.io/loadBalancerIPs}) with those ports and {@code allow-shared-ip} key; a
 *       backend key is {@code externalTrafficPolicy: Local} with that selector (MetalLB's backend
 *       key is the selector under Local and empty under Cluster).</li>
 *   <li>{@code Unassign(key)} is deleting the Service.</li>
 *   <li>An IP family is the Service's {@code ipFamilies}/{@code ipFamilyPolicy}.</li>
 * </ul>
 * Where MetalLB leaves an outcome open (any IP of a set, any pool of a Go map), the expected value
 * here is the one ledgerlb's documented order gives, and it is always inside MetalLB's set. After a
 * refused request the Service holds nothing: MetalLB's controller clears a Service's state before it
 * tries a changed request (its allocator-level table keeps the old allocation, its controller does not).
 */
final class MetalLbCases {
    private MetalLbCases() {}

    static List<Scenario> all() {
        return List.of(assignment(), deleteRecyclesIp(), buggyIps(), autoAssign(), controllerMutation(),
                controllerMutationStatusAndScopedPools(), waitingServices(), refusedUpdates(), dualStack(), sharingBackends(), annotationPrecedence(), adoption(),
                MetalLbAllocationTables.poolAllocation(), MetalLbAllocationTables.allocation(),
                MetalLbControllerTables.configReload(), MetalLbControllerTables.controllerConfig(),
                MetalLbControllerTables.mutationTypesAndClusterIps());
    }

    /** Collects cases under one MetalLB source. */
    static final class Builder {
        final String name;
        final List<Case> cases = new ArrayList<>();
        String source;

        Builder(String name) {
            this.name = name;
        }

        Builder from(String metallbSource) {
            source = metallbSource;
            return this;
        }

        Builder pool(Pool pool) {
            cases.add(new Case(source, "pool " + pool.name(), new DefinePool(pool)));
            return this;
        }

        Builder apply(String row, Svc svc, Expect expect) {
            cases.add(new Case(source, row, new Apply(svc, expect)));
            return this;
        }

        Builder delete(String row, String name, Expect expect) {
            cases.add(new Case(source, row, new Delete(name.contains("/")
                    ? new ServiceKey(name.split("/")[0], name.split("/")[1]) : new ServiceKey(ConformanceTable.NAMESPACE, name),
                    expect)));
            return this;
        }

        Builder check(String row, String name, Expect expect) {
            cases.add(new Case(source, row, new ConformanceTable.Check(key(name), expect)));
            return this;
        }

        private static ServiceKey key(String name) {
            return name.contains("/") ? new ServiceKey(name.split("/")[0], name.split("/")[1])
                    : new ServiceKey(ConformanceTable.NAMESPACE, name);
        }

        Builder removePool(String row, String pool) {
            cases.add(new Case(source, row, new ConformanceTable.RemovePool(pool)));
            return this;
        }

        Scenario build() {
            return new Scenario(name, List.copyOf(cases));
        }
    }

    static Svc v4(String name) {
        return Svc.of(name);
    }

    static Svc v6(String name) {
        return Svc.of(name).families(null, "IPv6");
    }

    static Svc dual(String name) {
        return Svc.of(name).families("RequireDualStack", "IPv4", "IPv6");
    }

    /** internal/allocator/allocator_test.go TestAssignment, every row in order. */
    static Scenario assignment() {
        Builder b = new Builder("TestAssignment").from("allocator_test.go TestAssignment");
        b.pool(Pool.of("test", "1.2.3.4/31", "1000::4/127"))
                .pool(Pool.of("test2", "1.2.4.0/24", "1000::4:0/120").avoidBuggy())
                .pool(Pool.of("test3", "1.2.5.0/24", "1000::5:0/120").avoidBuggy().forNamespaces("test-ns1"))
                .pool(Pool.of("test4", "1.2.6.0/24", "1000::6:0/120").avoidBuggy().forServices(Map.of("team", "metallb")))
                .pool(Pool.of("test5", "1.2.7.0/24", "1000::7:0/120").avoidBuggy().forNamespaces("test-ns1")
                        .forServices(Map.of("team", "metallb")).priority(20))
                .pool(Pool.of("test6", "1.2.8.0/24", "1000::9:0/120").avoidBuggy().forNamespaces("test-ns2")
                        .forServices(Map.of("foo", "bar")).priority(20));
        // IPv4
        b.apply("assign s1", v4("s1").ips("1.2.3.4"), gets("1.2.3.4"))
                .apply("s1 idempotent reassign", v4("s1").ips("1.2.3.4"), gets("1.2.3.4"))
                .apply("s2 can't grab s1's IP", v4("s2").ips("1.2.3.4"), refusedHolding())
                .apply("s2 can get the other IP", v4("s2").ips("1.2.3.5"), gets("1.2.3.5"))
                .apply("s1 now can't grab s2's IP", v4("s1").ips("1.2.3.5"), refusedHolding().and("s2", "1.2.3.5"))
                .delete("s1 frees its IP", "s1", none())
                .apply("s2 can grab s1's former IP", v4("s2").ips("1.2.3.4"), gets("1.2.3.4"))
                .apply("s1 can now grab s2's former IP", v4("s1").ips("1.2.3.5"), gets("1.2.3.5"))
                .apply("s3 cannot grab a 0 buggy IP", v4("s3").ips("1.2.4.0"), refusedHolding())
                .apply("s3 cannot grab a 255 buggy IP", v4("s3").ips("1.2.4.255"), refusedHolding())
                .apply("s3 can grab another IP in that pool", v4("s3").ips("1.2.4.254"), gets("1.2.4.254"))
                .apply("s4 takes an IP, with sharing", v4("s4").ips("1.2.4.3").ports("tcp/80").sharing("sharing").backend("backend"),
                        gets("1.2.4.3"))
                .apply("s4 changes its sharing key in place", v4("s4").ips("1.2.4.3").ports("tcp/80").sharing("share").backend("backend"),
                        gets("1.2.4.3"))
                .apply("s3 can't share with s4 (port conflict)",
                        v4("s3").ips("1.2.4.3").ports("tcp/80").sharing("share").backend("backend"), refusedHolding())
                .apply("s3 can't share with s4 (wrong sharing key)",
                        v4("s3").ips("1.2.4.3").ports("tcp/443").sharing("othershare").backend("backend"), refusedHolding())
                .apply("s3 can't share with s4 (wrong backend key)",
                        v4("s3").ips("1.2.4.3").ports("tcp/443").sharing("share").backend("otherbackend"), refusedHolding())
                .apply("s3 takes the same IP as s4", v4("s3").ips("1.2.4.3").ports("tcp/443").sharing("share").backend("backend"),
                        gets("1.2.4.3").and("s4", "1.2.4.3"))
                .apply("s3 can change its ports while keeping the same IP",
                        v4("s3").ips("1.2.4.3").ports("udp/53").sharing("share").backend("backend"), gets("1.2.4.3"))
                .apply("s3 can't change its sharing key while keeping the same IP",
                        v4("s3").ips("1.2.4.3").ports("tcp/443").sharing("othershare").backend("backend"),
                        refusedHolding().and("s4", "1.2.4.3"))
                .apply("s3 can't change its backend key while keeping the same IP",
                        v4("s3").ips("1.2.4.3").ports("tcp/443").sharing("share").backend("otherbackend"), refusedHolding())
                .apply("s4 takes s3's former IP", v4("s4").ips("1.2.4.254"), gets("1.2.4.254"));
        // IPv6: the same rows with IPv6 Services
        b.apply("ipv6 assign s1", v6("s1").ips("1000::4"), gets("1000::4"))
                .apply("s1 idempotent reassign", v6("s1").ips("1000::4"), gets("1000::4"))
                .apply("s2 can't grab s1's IP", v6("s2").ips("1000::4"), refusedHolding())
                .apply("s2 can get the other IP", v6("s2").ips("1000::4:5"), gets("1000::4:5"))
                .apply("s1 now can't grab s2's IP", v6("s1").ips("1000::4:5"), refusedHolding())
                .delete("s1 frees its IP", "s1", none())
                .apply("s2 can grab s1's former IP", v6("s2").ips("1000::4"), gets("1000::4"))
                .apply("s1 can now grab s2's former IP", v6("s1").ips("1000::4:5"), gets("1000::4:5"))
                .apply("s3 can grab another IP in that pool", v6("s3").ips("1000::4:ff"), gets("1000::4:ff"))
                .apply("s4 takes an IP, with sharing", v6("s4").ips("1000::4:3").ports("tcp/80").sharing("sharing").backend("backend"),
                        gets("1000::4:3"))
                .apply("s4 changes its sharing key in place",
                        v6("s4").ips("1000::4:3").ports("tcp/80").sharing("share").backend("backend"), gets("1000::4:3"))
                .apply("s3 can't share with s4 (port conflict)",
                        v6("s3").ips("1000::4:3").ports("tcp/80").sharing("share").backend("backend"), refusedHolding())
                .apply("s3 can't share with s4 (wrong sharing key)",
                        v6("s3").ips("1000::4:3").ports("tcp/443").sharing("othershare").backend("backend"), refusedHolding())
                .apply("s3 can't share with s4 (wrong backend key)",
                        v6("s3").ips("1000::4:3").ports("tcp/443").sharing("share").backend("otherbackend"), refusedHolding())
                .apply("s3 takes the same IP as s4", v6("s3").ips("1000::4:3").ports("tcp/443").sharing("share").backend("backend"),
                        gets("1000::4:3").and("s4", "1000::4:3"))
                .apply("s3 can change its ports while keeping the same IP",
                        v6("s3").ips("1000::4:3").ports("udp/53").sharing("share").backend("backend"), gets("1000::4:3"))
                .apply("s3 can't change its sharing key while keeping the same IP",
                        v6("s3").ips("1000::4:3").ports("tcp/443").sharing("othershare").backend("backend"),
                        refusedHolding().and("s4", "1000::4:3"))
                .apply("s3 can't change its backend key while keeping the same IP",
                        v6("s3").ips("1000::4:3").ports("tcp/443").sharing("share").backend("otherbackend"), refusedHolding())
                .apply("s4 takes s3's former IP", v6("s4").ips("1000::4:ff"), gets("1000::4:ff"))
                .delete("s2 frees its IP", "s2", none());
        // dual-stack and pinned pools
        b.apply("ip dual-stack assign s1", dual("s1").ips("1.2.3.4", "1000::4"), gets("1.2.3.4", "1000::4"))
                .apply("ip dual-stack assign s1 from different pools", dual("s1").ips("1.2.4.5", "1000::4"), refusedHolding())
                .apply("attempt to assign ip from pool pinned on same namespace", v4("s1").in("test-ns1").ips("1.2.5.10"),
                        gets("1.2.5.10"))
                .apply("attempt to assign ip from pool pinned on different namespace",
                        v4("s1").in("testns-not-exist").ips("1.2.5.10"), refusedHolding())
                .apply("attempt to assign ip from pool pinned with same service label",
                        v4("s1").in("testns-not-exist").labels(Map.of("team", "metallb")).ips("1.2.6.10"), gets("1.2.6.10"))
                .apply("attempt to assign ip from pool pinned with different service label",
                        v4("s1").in("testns-not-exist").labels(Map.of("team", "red")).ips("1.2.6.10"), refusedHolding())
                .apply("attempt to assign ip from pool pinned with namespace and service label",
                        v4("s1").in("test-ns1").labels(Map.of("team", "metallb")).ips("1.2.7.10"), gets("1.2.7.10"))
                .apply("attempt to assign ip from pool pinned with namespace and incompatible service label",
                        v4("s1").in("test-ns2").labels(Map.of("team", "metallb")).ips("1.2.8.10"), refusedHolding())
                .apply("attempt to assign ip from pool pinned with service label and incompatible namespace",
                        v4("s1").in("testns-not-exist").labels(Map.of("foo", "bar")).ips("1.2.8.10"), refusedHolding());
        return b.build();
    }

    /** controller/controller_test.go TestDeleteRecyclesIP. */
    static Scenario deleteRecyclesIp() {
        return new Builder("TestDeleteRecyclesIP").from("controller_test.go TestDeleteRecyclesIP")
                .pool(Pool.of("default", "1.2.3.0/32"))
                .apply("svc1 gets 1.2.3.0", v4("test"), gets("1.2.3.0"))
                .apply("svc2: pool has no available IPs, warning event", v4("test2"), refusedHolding())
                .delete("deleting svc1 reprocesses the others: svc2 gets 1.2.3.0", "test", none().and("test2", "1.2.3.0"))
                .build();
    }

    /** internal/allocator/allocator_test.go TestBuggyIPs: any IP of MetalLB's valid set; here the lowest by pool name. */
    static Scenario buggyIps() {
        Builder b = new Builder("TestBuggyIPs").from("allocator_test.go TestBuggyIPs")
                .pool(Pool.of("test", "1.2.3.0/31"))
                .pool(Pool.of("test2", "1.2.3.254/31"))
                .pool(Pool.of("test3", "1.2.4.0/31").avoidBuggy())
                .pool(Pool.of("test4", "1.2.4.254/31").avoidBuggy());
        String[] valid = {"1.2.3.0", "1.2.3.1", "1.2.3.254", "1.2.3.255", "1.2.4.1", "1.2.4.254"};
        for (int i = 0; i < valid.length; i++) {
            b.apply("s" + (i + 1), v4("s" + (i + 1)), gets(valid[i]));
        }
        return b.apply("s7: no valid IP left", v4("s7"), refusedHolding()).build();
    }

    /** internal/allocator/allocator_test.go TestAutoAssign. */
    static Scenario autoAssign() {
        Builder b = new Builder("TestAutoAssign").from("allocator_test.go TestAutoAssign")
                .pool(Pool.of("test1", "1.2.3.4/31", "1000::4/127").manual())
                .pool(Pool.of("test2", "1.2.3.10/31", "1000::10/127"));
        b.apply("s1 IPv4", v4("s1"), gets("1.2.3.10")).apply("s2 IPv4", v4("s2"), gets("1.2.3.11"))
                .apply("s3 IPv4: autoAssign pool exhausted", v4("s3"), refusedHolding())
                .apply("s4 IPv4", v4("s4"), refusedHolding()).apply("s5 IPv4", v4("s5"), refusedHolding());
        for (String s : List.of("s1", "s2", "s3", "s4", "s5")) {
            b.delete("clear old ipv4 addresses: " + s, s, none());
        }
        b.apply("s1 IPv6", v6("s1"), gets("1000::10")).apply("s2 IPv6", v6("s2"), gets("1000::11"))
                .apply("s3 IPv6", v6("s3"), refusedHolding()).apply("s4 IPv6", v6("s4"), refusedHolding())
                .apply("s5 IPv6", v6("s5"), refusedHolding());
        // MetalLB's s1 keeps its IPv6 allocation when asked for dual-stack; as a Service turned
        // RequireDualStack it keeps its IPv6 and adds an IPv4 from the same pool
        b.apply("s1 dual-stack", dual("s1"), gets("1.2.3.10", "1000::10"))
                .apply("s2 dual-stack", dual("s2"), gets("1.2.3.11", "1000::11"))
                .apply("s3 dual-stack", dual("s3"), refusedHolding())
                .apply("s4 dual-stack", dual("s4"), refusedHolding())
                .apply("s5 dual-stack", dual("s5"), refusedHolding());
        return b.build();
    }

    /**
     * controller/controller_test.go TestControllerMutation, the rows about requests and families.
     * Deliberate difference: MetalLB's table defines pool5 over pool1's 1.2.3.0/31 and pool3's
     * 1000::/127; ledgerlb (like MetalLB's own webhook) refuses overlapping pools, so pool5 here is
     * 1.2.3.8/31 and 1000::8/127. Each row uses its own Service, deleted afterwards.
     */
    static Scenario controllerMutation() {
        Builder b = new Builder("TestControllerMutation").from("controller_test.go TestControllerMutation")
                .pool(Pool.of("pool1", "1.2.3.0/31"))
                .pool(Pool.of("pool2", "3.4.5.6/32").manual())
                .pool(Pool.of("pool3", "1000::/127"))
                .pool(Pool.of("pool4", "2000::1/128").manual())
                .pool(Pool.of("pool5", "1.2.3.8/31", "1000::8/127"));
        row(b, "simple LoadBalancer", v4("m1"), gets("1.2.3.0"));
        row(b, "request specific IP", v4("m2").specIp("1.2.3.1"), gets("1.2.3.1"));
        row(b, "request specific IP via custom annotation", v4("m3").ips("1.2.3.1"), gets("1.2.3.1"));
        row(b, "request IP from both svc.spec.LoadBalancerIP and custom annotation",
                v4("m4").specIp("1.2.3.1").ips("1.2.3.1"), refusedHolding());
        row(b, "request invalid IP", v4("m5").specIp("please sir"), refusedHolding());
        row(b, "incompatible ip and address pool annotations", v4("m6").ips("1.2.3.0").pool("pool2"), refusedHolding());
        row(b, "request invalid IP via custom annotation", v4("m7").ips("please sir"), refusedHolding());
        row(b, "request two IPs from same ip family via custom annotation", v4("m8").ips("1.2.3.0", "1.2.3.1"),
                refusedHolding());
        row(b, "request infeasible IP", v4("m9").specIp("1.2.3.5"), refusedHolding());
        row(b, "request IP from specific pool", v4("m10").pool("pool2"), gets("3.4.5.6"));
        // service.go convergeBalancer: a Service holding IPs whose requested IPs cannot be read keeps
        // them, with LoadBalancerFailed (AllocationFailed when it holds nothing, as the rows above)
        b.apply("invalid requested IPs while holding one: before", v4("m10b").ips("1.2.3.1"), gets("1.2.3.1"))
                .apply("invalid requested IPs while holding one: LoadBalancerFailed, the IP is kept",
                        v4("m10b").ips("please sir"), refusedHolding("1.2.3.1").events("Warning LoadBalancerFailed"))
                .apply("both spec.loadBalancerIP and the annotation while holding one: LoadBalancerFailed",
                        v4("m10b").ips("1.2.3.1").specIp("1.2.3.1"), refusedHolding("1.2.3.1").events("Warning LoadBalancerFailed"))
                .delete("invalid requested IPs while holding one (cleanup)", "m10b", none());
        row(b, "unknown pool requested", v4("m11").pool("does-not-exist"), refusedHolding());
        row(b, "request IP from wrong ip-family (ipv4)", v6("m12").specIp("1.2.3.0"), refusedHolding());
        row(b, "request IP from wrong ip-family (ipv4) via custom annotation", v6("m13").ips("1.2.3.0"), refusedHolding());
        row(b, "request IP from wrong ip-family (ipv6)", v4("m14").specIp("1000::"), refusedHolding());
        row(b, "request IP from wrong ip-family (ipv6) via custom annotation", v4("m15").ips("1000::"), refusedHolding());
        row(b, "simple dual-stack LoadBalancer", dual("m16"), gets("1.2.3.8", "1000::8"));
        row(b, "request IPs from specific pool", dual("m17").pool("pool5"), gets("1.2.3.8", "1000::8"));
        row(b, "simple dual-stack LoadBalancer with PreferDualStack policy",
                Svc.of("m18").families("PreferDualStack", "IPv4", "IPv6"), gets("1.2.3.8", "1000::8"));
        row(b, "request IPs from dualstack pool with PreferDualStack policy",
                Svc.of("m19").families("PreferDualStack", "IPv4", "IPv6").pool("pool5"), gets("1.2.3.8", "1000::8"));
        row(b, "request IP from single-stack ipv4 pool with PreferDualStack policy",
                Svc.of("m20").families("PreferDualStack", "IPv4", "IPv6").pool("pool1"), gets("1.2.3.0"));
        row(b, "request IP from single-stack ipv6 pool with PreferDualStack policy",
                Svc.of("m21").families("PreferDualStack", "IPv4", "IPv6").pool("pool3"), gets("1000::"));
        row(b, "request IPs from dualstack pool with PreferDualStack policy but single stack clusterip",
                Svc.of("m22").families("PreferDualStack", "IPv4").pool("pool5"), gets("1.2.3.8"));
        row(b, "request specific loadbalancer IP with dual-stack", dual("m23").specIp("1.2.3.8"), refusedHolding());
        row(b, "request specific loadbalancer IPv4 address via custom annotation for dual-stack config",
                dual("m24").ips("1.2.3.8"), refusedHolding());
        row(b, "request dual-stack loadbalancer IPs via custom annotation", dual("m25").ips("1.2.3.9", "1000::9"),
                gets("1.2.3.9", "1000::9"));
        row(b, "request dual-stack loadbalancer IPs via custom annotation in a single stack cluster",
                v4("m26").ips("1.2.3.9", "1000::9"), refusedHolding());
        return b.build();
    }

    /**
     * controller/controller_test.go TestControllerMutation, the rows about what a Service's status
     * already holds, switching pools, and pools scoped to namespaces and Service labels (pool6 to
     * pool12, with MetalLB's addresses and priorities). A hostname in the ingress ("invalid ingress
     * state") cannot be expressed by this table: its IP entry is kept alone.
     */
    static Scenario controllerMutationStatusAndScopedPools() {
        Map<String, String> team = Map.of("team", "metallb");
        Builder b = new Builder("TestControllerMutation (status, scoped pools)")
                .from("controller_test.go TestControllerMutation")
                .pool(Pool.of("pool1", "1.2.3.0/31"))
                .pool(Pool.of("pool2", "3.4.5.6/32").manual())
                .pool(Pool.of("pool3", "1000::/127"))
                .pool(Pool.of("pool5", "1.2.3.8/31", "1000::8/127"))
                .pool(Pool.of("pool6", "7.8.9.0/31").forNamespaces("test-ns1").priority(10))
                .pool(Pool.of("pool7", "10.11.12.0/31").forNamespaces("test-ns1").priority(11))
                .pool(Pool.of("pool8", "13.14.15.0/31").forServices(team).priority(9))
                .pool(Pool.of("pool9", "16.17.18.0/31").forNamespaces("test-ns2"))
                .pool(Pool.of("pool10", "19.20.21.0/31").forServices(team).priority(8))
                .pool(Pool.of("pool11", "22.23.24.0/31").forNamespaces("test-ns1").forServices(team).priority(8))
                .pool(Pool.of("pool12", "25.26.27.0/31").forNamespaces("test-ns1").forServices(team).priority(5));
        b.apply("switch to a different specific pool: before, simple LoadBalancer", v4("s1"), gets("1.2.3.0"))
                .apply("switch to a different specific pool", v4("s1").pool("pool2"), gets("3.4.5.6"))
                .delete("switch to a different specific pool (cleanup)", "s1", none());
        row(b, "invalid IP assigned", v4("s2").status("2.3.4.5"),
                gets("1.2.3.0").events("Normal ClearAssignment", "Normal IPAllocated"));
        row(b, "invalid ingress state", v4("s3").status("10.10.10.10"),
                gets("1.2.3.0").events("Normal ClearAssignment", "Normal IPAllocated"));
        row(b, "simple LoadBalancer, ips already assigned but can't determine family",
                v4("s4").status("1.2.3.0", "1.2.3.1", "1.2.3.2"),
                gets("1.2.3.0").events("Warning nolbIPsIPFamily", "Normal IPAllocated"));
        row(b, "IP from wrong ip-family (ipv6) assigned", v4("s9").status("1000::"), gets("1.2.3.0"));
        row(b, "IP from wrong ip-family (ipv4) assigned", v6("s10").status("1.2.3.0"), gets("1000::"));
        // MetalLB's pool5 overlaps pool1 and pool3 (see controllerMutation): the dual-stack IPs come from ours
        row(b, "request dual-stack loadbalancer with invalid ingress",
                Svc.of("s11").families("RequireDualStack", "IPv6", "IPv4").status("1000::"), gets("1.2.3.8", "1000::8"));
        row(b, "single-stack LoadBalancer with PreferDualStack policy",
                Svc.of("s12").in("test-ns1").families("PreferDualStack", "IPv4"), gets("7.8.9.0"));
        row(b, "request IP for service from namespace specific ip pool", v4("s5").in("test-ns1"), gets("7.8.9.0"));
        row(b, "request IP for service from no priority namespace specific ip pool", v4("s6").in("test-ns2"),
                gets("16.17.18.0"));
        row(b, "request IP for service from service label specific ip pool", v4("s7").labels(team), gets("19.20.21.0"));
        row(b, "request IP for service from ip pool having both namespace and service label",
                v4("s8").in("test-ns1").labels(team), gets("25.26.27.0"));
        return b.build();
    }

    static void row(Builder b, String row, Svc svc, Expect expect) {
        b.apply(row, svc, expect).delete(row + " (cleanup)", svc.namespace() + "/" + svc.name(), none());
    }

    /** Issue 12 item 1 (MetalLB reprocesses every Service when an IP is freed): waiting Services get freed IPs, oldest refusal first. */
    static Scenario waitingServices() {
        return new Builder("waiting Services").from("controller_test.go TestDeleteRecyclesIP, extended (issue 12 #1)")
                .pool(Pool.of("one", "10.99.0.1/32"))
                .pool(Pool.of("manual", "10.99.0.2/32").manual())
                .apply("w1 takes the only auto IP", v4("w1"), gets("10.99.0.1"))
                .apply("w2 waits", v4("w2"), refusedHolding())
                .apply("w3 waits (younger)", v4("w3"), refusedHolding())
                .delete("w1 deleted: the oldest waiting Service, w2, gets its IP", "w1", none().and("w2", "10.99.0.1").and("w3"))
                .delete("w2 deleted: w3 gets it", "w2", none().and("w3", "10.99.0.1"))
                .apply("p1 requests pool manual", v4("p1").pool("manual"), gets("10.99.0.2"))
                .apply("p2 requests pool manual and waits", v4("p2").pool("manual"), refusedHolding())
                .delete("p1 deleted: p2 (requested pool) gets the IP", "p1", none().and("p2", "10.99.0.2"))
                .pool(Pool.of("shared", "10.99.1.1/32").manual())
                .apply("k1 shares under key k", v4("k1").pool("shared").sharing("k").ports("tcp/80"), gets("10.99.1.1"))
                .apply("k2 with key k2 waits", v4("k2").pool("shared").sharing("k2").ports("tcp/80"), refusedHolding())
                .delete("k1 deleted: k2 (sharing key) gets the IP", "k1", none().and("k2", "10.99.1.1"))
                .pool(Pool.of("dual", "10.99.2.1/32", "fd00:99::1/128").manual())
                .apply("d1 RequireDualStack", dual("d1").pool("dual"), gets("10.99.2.1", "fd00:99::1"))
                .apply("d2 RequireDualStack waits", dual("d2").pool("dual"), refusedHolding())
                .delete("d1 deleted: d2 (RequireDualStack) gets both", "d1", none().and("d2", "10.99.2.1", "fd00:99::1"))
                .apply("g1 waits for a grown pool", v4("g1").pool("manual"), refusedHolding())
                .pool(Pool.of("manual", "10.99.0.2/31").manual())
                .apply("when the pool grows the waiting Service has the new IP", v4("g1").pool("manual"), gets("10.99.0.3"))
                .build();
    }

    /** Issue 12 item 2: a refused change releases what the Service held (MetalLB clears before it allocates again). */
    static Scenario refusedUpdates() {
        return new Builder("refused updates").from("controller/service.go convergeBalancer (differentIPRequested), issue 12 #2")
                .pool(Pool.of("p", "10.99.3.0/30"))
                .apply("x", v4("x").ips("10.99.3.0"), gets("10.99.3.0"))
                .apply("y", v4("y").ips("10.99.3.1"), gets("10.99.3.1"))
                .apply("x asks for y's IP: refused, and gives up 10.99.3.0", v4("x").ips("10.99.3.1"), refusedHolding())
                .apply("a third Service can take it", v4("z").ips("10.99.3.0"), gets("10.99.3.0"))
                .apply("s1 shares 10.99.3.2 under key k", v4("s1").ips("10.99.3.2").sharing("k").ports("tcp/1"), gets("10.99.3.2"))
                .apply("s2 shares it too", v4("s2").ips("10.99.3.2").sharing("k").ports("tcp/2"), gets("10.99.3.2"))
                .apply("s3 shares it too", v4("s3").ips("10.99.3.2").sharing("k").ports("tcp/3"), gets("10.99.3.2"))
                .apply("s2 changes its key while sharing: refused and released", v4("s2").ips("10.99.3.2").sharing("other").ports("tcp/2"),
                        refusedHolding().and("s1", "10.99.3.2").and("s3", "10.99.3.2"))
                .build();
    }

    /** Issue 12 item 3: PreferDualStack as MetalLB's findBestPoolForService and requested-IP family check. */
    static Scenario dualStack() {
        return new Builder("PreferDualStack").from("allocator.go findBestPoolForService / service.go allocateIPs, issue 12 #3")
                .pool(Pool.of("a-v4", "10.99.4.0/31"))
                .pool(Pool.of("b-dual", "10.99.5.0/31", "fd00:99:5::/127"))
                .apply("PreferDualStack prefers the pool giving both families", Svc.of("p1").families("PreferDualStack", "IPv4", "IPv6"),
                        gets("10.99.5.0", "fd00:99:5::"))
                .apply("PreferDualStack with one requested IPv4 on a dual-stack Service: family mismatch",
                        Svc.of("p2").families("PreferDualStack", "IPv4", "IPv6").ips("10.99.4.1"), refusedHolding())
                .apply("PreferDualStack in a single-stack cluster may request one IPv4",
                        Svc.of("p3").families("PreferDualStack", "IPv4").ips("10.99.4.1"), gets("10.99.4.1"))
                .build();
    }

    /** Issue 12 item 4: MetalLB's backend key is the selector under Local, empty under Cluster. */
    static Scenario sharingBackends() {
        return new Builder("sharing backends").from("k8salloc.BackendKey + allocator.go sharingOK, issue 12 #4")
                .pool(Pool.of("p", "10.99.6.0/31"))
                .apply("l1 Local, selector app=x", v4("l1").ips("10.99.6.0").sharing("k").ports("tcp/1").backend("x"), gets("10.99.6.0"))
                .apply("c1 Cluster with the same selector: backend mismatch",
                        v4("c1").ips("10.99.6.0").sharing("k").ports("tcp/2").selector("x"), refusedHolding())
                .apply("l2 Local with the same selector shares", v4("l2").ips("10.99.6.0").sharing("k").ports("tcp/3").backend("x"),
                        gets("10.99.6.0"))
                .apply("l3 Local with another selector: backend mismatch",
                        v4("l3").ips("10.99.6.0").sharing("k").ports("tcp/4").backend("y"), refusedHolding())
                .apply("c2 Cluster selector a", v4("c2").ips("10.99.6.1").sharing("k").ports("tcp/1").selector("a"), gets("10.99.6.1"))
                .apply("c3 Cluster selector b shares with c2 (backends do not matter under Cluster)",
                        v4("c3").ips("10.99.6.1").sharing("k").ports("tcp/2").selector("b"), gets("10.99.6.1"))
                .build();
    }

    /** Issue 12 item 5: metallb.io/ wins over metallb.universe.tf/ (service.go valueForAnnotation). */
    static Scenario annotationPrecedence() {
        return new Builder("annotation precedence").from("controller/service.go valueForAnnotation, issue 12 #5")
                .pool(Pool.of("green", "10.99.7.0/32").manual())
                .pool(Pool.of("blue", "10.99.8.0/32").manual())
                .apply("both prefixes: metallb.io/address-pool wins",
                        v4("a").annotate("metallb.io/address-pool", "green").annotate("metallb.universe.tf/address-pool", "blue"),
                        gets("10.99.7.0"))
                .apply("the deprecated prefix alone works", v4("b").annotate("metallb.universe.tf/address-pool", "blue"),
                        gets("10.99.8.0"))
                .build();
    }

    /** Issue 12 item 8: status IPs (from MetalLB) are kept on first sight when valid. */
    static Scenario adoption() {
        return new Builder("adoption").from("controller/service.go convergeBalancer (Assign of status IPs), issue 12 #8")
                .pool(Pool.of("p", "10.99.9.0/28"))
                .pool(Pool.of("q", "10.99.10.0/28").manual())
                .apply("a status IP is kept", v4("a1").status("10.99.9.5"), gets("10.99.9.5"))
                .apply("a status IP held by another without sharing: placed anew", v4("a2").status("10.99.9.5"), gets("10.99.9.0"))
                .apply("shared status IPs are kept", v4("a3").status("10.99.9.9").sharing("k").ports("tcp/1"), gets("10.99.9.9"))
                .apply("shared status IPs are kept (2)", v4("a4").status("10.99.9.9").sharing("k").ports("tcp/2"), gets("10.99.9.9"))
                .apply("a status IP from a requested manual pool is kept", v4("a5").pool("q").status("10.99.10.7"), gets("10.99.10.7"))
                .apply("a status IP from a manual pool not requested: placed anew", v4("a6").status("10.99.10.8"), gets("10.99.9.1"))
                .apply("a requested IP wins over the status", v4("a7").ips("10.99.9.12").status("10.99.9.13"), gets("10.99.9.12"))
                .build();
    }
}
