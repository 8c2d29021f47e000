package io.ledgerlb.allocator.controller;

import static io.ledgerlb.allocator.controller.ConformanceTable.Expect.gets;
import static io.ledgerlb.allocator.controller.ConformanceTable.Expect.none;
import static io.ledgerlb.allocator.controller.ConformanceTable.Expect.refusedHolding;
import static io.ledgerlb.allocator.controller.ConformanceTable.Expect.stillWaiting;
import static io.ledgerlb.allocator.controller.MetalLbCases.dual;
import static io.ledgerlb.allocator.controller.MetalLbCases.row;
import static io.ledgerlb.allocator.controller.MetalLbCases.v4;
import static io.ledgerlb.allocator.controller.MetalLbCases.v6;

import io.ledgerlb.allocator.controller.ConformanceTable.Pool;
import io.ledgerlb.allocator.controller.ConformanceTable.Scenario;
import io.ledgerlb.allocator.controller.ConformanceTable.Svc;
import io.ledgerlb.allocator.controller.MetalLbCases.Builder;

/**
 * MetalLB v0.16.1's {@code TestConfigReload} ({@code internal/allocator/allocator_test.go}),
 * {@code TestControllerConfig}, {@code TestControllerReassign}, {@code TestControllerDualStackConfig}
 * and the {@code TestControllerMutation} rows on Service types and ClusterIPs
 * ({@code controller/controller_test.go}).
 *
 * <p>MetalLB replaces its whole pool set at once; a user changes IPAddressPools one object at a
 * time, and ledgerlb (like MetalLB's webhook) refuses a pool that overlaps another in between. So a
 * row's new pool set is reached by removing the pools it drops, then changing or adding the others.
 * Where MetalLB's allocator-level table stops at "the Service lost its allocation", its controller
 * then reprocesses every Service and gives it a new IP: that new IP is what is checked here.
 */
final class MetalLbControllerTables {
    private MetalLbControllerTables() {}

    private static final Pool TEST = Pool.of("test", "1.2.3.0/30", "1000::/126");
    private static final Pool UNUSED = Pool.of("testunused", "1.2.4.0/30", "1001::/126");

    /** TestConfigReload: every row from the same start (s1 holds 1.2.3.0 and s2 1000:: in pool test). */
    static Scenario configReload() {
        Builder b = new Builder("TestConfigReload").from("allocator_test.go TestConfigReload");
        start(b, "set same config is no-op", 1).pool(TEST).removePool("drop testunused", "testunused");
        holding(b, 1, "set same config is no-op", "1.2.3.0", "1000::");

        start(b, "expand pool", 2).removePool("drop testunused", "testunused")
                .pool(Pool.of("test", "1.2.3.0/24", "1000::/120"));
        holding(b, 2, "expand pool", "1.2.3.0", "1000::");

        start(b, "shrink pool", 3).removePool("drop testunused", "testunused").pool(TEST);
        holding(b, 3, "shrink pool", "1.2.3.0", "1000::");

        start(b, "can't shrink further", 4).removePool("drop testunused", "testunused")
                .pool(Pool.of("test", "1.2.3.2/31", "1000::0/126"));
        holding(b, 4, "can't shrink further, removing the service allocation: s1 is given a new IP in test", "1.2.3.2", "1000::");

        start(b, "can't shrink further ipv6", 5).removePool("drop testunused", "testunused")
                .pool(Pool.of("test", "1.2.3.0/30", "1000::2/127"));
        holding(b, 5, "can't shrink further ipv6, removing the service allocation: s2 is given a new IP in test",
                "1.2.3.0", "1000::2");

        start(b, "rename the pool", 6).removePool("drop testunused", "testunused").removePool("rename: drop test", "test")
                .pool(Pool.of("test2", "1.2.3.0/30", "1000::0/126"));
        holding(b, 6, "rename the pool: both keep their IPs, now in test2", "1.2.3.0", "1000::");
        b.removePool("cleanup", "test2");

        // deliberate difference: shrinking test (before test2 can exist) displaces s2, which is placed
        // anew in what test still has; MetalLB's atomic swap keeps 1000:: in test2
        start(b, "split pool", 7).removePool("drop testunused", "testunused")
                .pool(Pool.of("test", "1.2.3.0/31", "1000::2/127"))
                .pool(Pool.of("test2", "1.2.3.2/31", "1000::/127"));
        holding(b, 7, "split pool: s1 stays in test; s2 (MetalLB: 1000:: in test2) is placed anew in test (pools change one at a time)",
                "1.2.3.0", "1000::2");
        b.removePool("cleanup", "test2");

        start(b, "enable buggy IPs not allowed", 8).removePool("drop testunused", "testunused").removePool("drop test", "test")
                .pool(Pool.of("test2", "1.2.3.0/31", "1000::/127").avoidBuggy());
        holding(b, 8, "enable buggy IPs not allowed: s1 loses 1.2.3.0 and is given 1.2.3.1; s2 keeps 1000:: in test2",
                "1.2.3.1", "1000::");
        return b.build();
    }

    /**
     * A fresh start for one TestConfigReload row: pools test and testunused, s1 holding 1.2.3.0 and
     * s2 1000::. Each row has its own s1 and s2 (named after the row's number): a Service created
     * again under an old name would be given back the IP it last held.
     */
    private static Builder start(Builder b, String row, int n) {
        return b.removePool(row + ": start", "test").pool(TEST).pool(UNUSED)
                .apply(row + ": Assign(s1, 1.2.3.0)", v4("s1-r" + n), gets("1.2.3.0"))
                .apply(row + ": Assign(s2, 1000::)", v6("s2-r" + n), gets("1000::"));
    }

    private static void holding(Builder b, int n, String row, String s1, String s2) {
        b.check(row + " (s1)", "s1-r" + n, gets(s1)).check(row + " (s2)", "s2-r" + n, gets(s2))
                .delete(row + ": cleanup (s1)", "s1-r" + n, none())
                .delete(row + ": cleanup (s2)", "s2-r" + n, none());
    }

    /**
     * TestControllerConfig, TestControllerReassign and TestControllerDualStackConfig, one after the
     * other. MetalLB's controller does nothing to a Service before its configuration is synced, then
     * allocates; ledgerlb's controller starts deciding once its caches are synced, so a Service that
     * comes before any pool waits (refused: no pool) and is served when a pool appears. The rows
     * "set an empty config" and "deleting the config" have no user equivalent (pools are separate
     * objects; no pools is the empty config).
     */
    static Scenario controllerConfig() {
        Builder b = new Builder("TestControllerConfig, TestControllerReassign, TestControllerDualStackConfig");
        b.from("controller_test.go TestControllerConfig")
                .apply("SetBalancer with no configuration: no IP", v4("test"), stillWaiting())
                .pool(Pool.of("default", "1.2.3.0/24"))
                .check("config with some IPs: the Service gets 1.2.3.0", "test", gets("1.2.3.0"))
                .removePool("removing the IP pool is accepted even if the IP is allocated", "default")
                .check("the Service is cleared", "test", none())
                .delete("cleanup", "test", none());
        b.from("controller_test.go TestControllerReassign")
                .pool(Pool.of("default", "1.2.3.0/24", "1000::1/127"))
                .apply("the Service gets 1.2.3.0", v4("test"), gets("1.2.3.0"))
                .pool(Pool.of("second", "4.5.6.0/24"))
                .check("a second pool: allocation shouldn't change", "test", gets("1.2.3.0"))
                .removePool("delete default pool", "default")
                .check("it should get an IP from the second pool", "test", gets("4.5.6.0"))
                .delete("cleanup", "test", none())
                .removePool("cleanup", "second");
        b.from("controller_test.go TestControllerDualStackConfig")
                .apply("SetBalancer with no configuration: no IPs", dual("test"), stillWaiting())
                .pool(Pool.of("default", "1.2.3.0/24", "1000::1/127"))
                .check("config with some IPs: the RequireDualStack Service gets 1.2.3.0 and 1000::", "test",
                        gets("1.2.3.0", "1000::"));
        return b.build();
    }

    /**
     * TestControllerMutation's rows on deleted Services, non-LoadBalancer types, layer2 requests, a
     * missing ClusterIP and RequireDualStack with a single-stack ClusterIP, with that test's pool1,
     * pool2 and pool5 (pool5 moved off pool1/pool3 as in {@link MetalLbCases#controllerMutation()}).
     * ledgerlb reads a Service's families from {@code spec.ipFamilies} (which the API server fills
     * with {@code clusterIPs}): "No ClusterIP" is a Service with neither.
     */
    static Scenario mutationTypesAndClusterIps() {
        Builder b = new Builder("TestControllerMutation (types, ClusterIPs)").from("controller_test.go TestControllerMutation")
                .pool(Pool.of("pool1", "1.2.3.0/31"))
                .pool(Pool.of("pool2", "3.4.5.6/32").manual())
                .pool(Pool.of("pool5", "1.2.3.8/31", "1000::8/127"));
        b.delete("deleted balancer", "t0", none());
        row(b, "simple non-LoadBalancer", v4("t1").type("ClusterIP"), none());
        row(b, "former LoadBalancer, now NodePort: its status IP is cleared", v4("t2").type("NodePort").status("1.2.3.0"), none());
        b.apply("former LoadBalancer, now NodePort (changed in place): before", v4("t2b"), gets("1.2.3.0"))
                .apply("former LoadBalancer, now NodePort (changed in place): its IP is released", v4("t2b").type("NodePort"),
                        none())
                .delete("former LoadBalancer, now NodePort (cleanup)", "t2b", none());
        row(b, "request layer2 service", v4("t3").specIp("3.4.5.6"), gets("3.4.5.6"));
        row(b, "Layer2 service with local traffic policy", v4("t4").specIp("3.4.5.6").backend("t4"), gets("3.4.5.6"));
        // deliberate difference: MetalLB leaves a Service without clusterIPs alone; ledgerlb serves a
        // Service without spec.ipFamilies as IPv4 (the API server always fills them for a LoadBalancer)
        row(b, "No ClusterIP: served as IPv4 (MetalLB: left alone)", Svc.of("t5").families(null), gets("1.2.3.0"));
        b.delete("deleted balancer (second row)", "t0", none());
        row(b, "request IPs from dualstack pool with RequireDualStack policy but single stack clusterip",
                Svc.of("t6").families("RequireDualStack", "IPv4").pool("pool5"),
                refusedHolding().events("Warning not enough clusterips"));
        return b.build();
    }
}
