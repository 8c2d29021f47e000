package io.ledgerlb.allocator.controller;

import static io.ledgerlb.allocator.controller.ConformanceTable.Expect.gets;
import static io.ledgerlb.allocator.controller.ConformanceTable.Expect.none;
import static io.ledgerlb.allocator.controller.ConformanceTable.Expect.refusedHolding;
import static io.ledgerlb.allocator.controller.ConformanceTable.Expect.stillWaiting;
import static io.ledgerlb.allocator.controller.MetalLbCases.dual;
import static io.ledgerlb.allocator.controller.MetalLbCases.v4;
import static io.ledgerlb.allocator.controller.MetalLbCases.v6;

import io.ledgerlb.allocator.controller.ConformanceTable.Pool;
import io.ledgerlb.allocator.controller.ConformanceTable.Scenario;
import io.ledgerlb.allocator.controller.ConformanceTable.Svc;
import io.ledgerlb.allocator.controller.MetalLbCases.Builder;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * MetalLB v0.16.1's {@code internal/allocator/allocator_test.go} {@code TestPoolAllocation} and
 * {@code TestAllocation}, every row in order. {@code AllocateFromPool(key, family, pool, ports,
 * sharingKey)} is a Service of that family with {@code metallb.io/address-pool}; {@code Allocate} is
 * a Service without it. Where MetalLB accepts any IP of a set, the expected value is the one
 * ledgerlb's order gives (lowest address of the first pool by name), always inside MetalLB's set.
 *
 * <p>Two rows read differently through a controller, and both are MetalLB's controller behaviour:
 * <ul>
 *   <li>"s1 releases its IP" (a deleted Service) hands the freed IP to the oldest waiting Service,
 *       s5, at once (MetalLB's controller reprocesses every Service on a delete); the table's next
 *       row "s5 can now grab s1's former IP" finds it there.</li>
 *   <li>"s5 unassigns in prep for enabling sharing" followed by "s5 enables sharing" is one
 *       in-place change of s5's annotations: deleting s5 would hand its IP to the waiting s6.</li>
 * </ul>
 * An unchanged waiting Service applied again ("s6 still can't get an IP") must still hold nothing;
 * whether the controller records another refusal for it is not checked.
 */
final class MetalLbAllocationTables {
    private MetalLbAllocationTables() {}

    /** The IPv4, IPv6 and dual-stack rounds both tables share: s1–s4 fill the pool, s5 and s6 wait, s1 leaves, s5 and s6 share. */
    private static void fillWaitShare(Builder b, String family, UnaryOperator<Svc> svc, List<List<String>> ips,
                                      boolean unassignRow) {
        for (int i = 0; i < 4; i++) {
            String s = "s" + (i + 1);
            b.apply(s + " gets " + family, svc.apply(v4(s)), gets(ips.get(i).toArray(String[]::new)));
        }
        String[] first = ips.get(0).toArray(String[]::new);
        b.apply("s5 can't get " + family, svc.apply(v4("s5")), refusedHolding())
                .apply("s6 can't get " + family, svc.apply(v4("s6")), refusedHolding())
                .delete("s1 releases its " + family + ": the waiting s5 gets it", "s1", none().and("s5", first).and("s6"));
        if (unassignRow) {
            b.apply("s5 can now grab s1's former " + family, svc.apply(v4("s5")), gets(first))
                    .apply("s6 still can't get " + family, svc.apply(v4("s6")), stillWaiting())
                    .apply("s5 unassigns in prep for enabling sharing + s5 enables " + family + " sharing (one in-place change)",
                            svc.apply(v4("s5")).sharing("share").ports("tcp/80"), gets(first));
        } else {
            b.apply("s5 can now get " + family + " (with sharing)", svc.apply(v4("s5")).sharing("share").ports("tcp/80"), gets(first))
                    .apply("s6 still can't get " + family, svc.apply(v4("s6")), stillWaiting());
        }
        b.apply("s6 can get " + family + " now, with sharing", svc.apply(v4("s6")).sharing("share").ports("tcp/443"),
                gets(first).and("s5", first));
    }

    private static void clear(Builder b, String what) {
        for (int i = 1; i <= 6; i++) {
            b.delete("s" + i + " clear old " + what + " address", "s" + i, none());
        }
    }

    private static Svc asV6(Svc s) {
        return v6(s.name()).pool(s.annotations().get("metallb.io/address-pool"));
    }

    /**
     * TestPoolAllocation. Deliberate difference: MetalLB's table defines test-v4, test-v6 and
     * test-dualstack over test's own addresses (and only uses them in its last rows); ledgerlb
     * refuses overlapping pools, so here they have addresses of their own (1.2.13.x, 1000::13:x,
     * 1.2.23.x + 1000::23:x) and the expected IPs of those rows are in them.
     */
    static Scenario poolAllocation() {
        Builder b = new Builder("TestPoolAllocation").from("allocator_test.go TestPoolAllocation")
                .pool(Pool.of("not_this_one", "192.168.0.0/16", "fc00::1:0/112"))
                .pool(Pool.of("test", "1.2.3.4/31", "1.2.3.10/31", "1000::/127", "2000::/127"))
                .pool(Pool.of("test2", "10.20.30.0/24", "fc00::2:0/120"))
                .pool(Pool.of("test-v4", "1.2.13.4/31", "1.2.13.10/31"))
                .pool(Pool.of("test-v6", "1000::13:0/127", "2000::13:0/127"))
                .pool(Pool.of("test-dualstack", "1.2.23.4/31", "1.2.23.10/31", "1000::23:0/127", "2000::23:0/127"));
        UnaryOperator<Svc> inTest = s -> s.pool("test");
        fillWaitShare(b, "an IPv4", inTest, List.of(List.of("1.2.3.4"), List.of("1.2.3.5"), List.of("1.2.3.10"),
                List.of("1.2.3.11")), true);
        clear(b, "ipv4");
        UnaryOperator<Svc> v6InTest = s -> asV6(inTest.apply(s));
        fillWaitShare(b, "an IP6", v6InTest, List.of(List.of("1000::"), List.of("1000::1"), List.of("2000::"),
                List.of("2000::1")), true);
        // the "should-not-happen" case: a Service holding an IPv4 asks for an IPv6
        b.delete("s1 clear", "s1", none())
                .apply("s1 get an IPv4", v4("s1").pool("test"), gets("1.2.3.4"))
                .apply("s1 get an IPv6: refused (no IPv6 left), and its IPv4 released", v6("s1").pool("test"),
                        refusedHolding());
        clear(b, "ipv6");
        UnaryOperator<Svc> dualInTest = s -> dual(s.name()).pool("test");
        fillWaitShare(b, "dual-stack IPs", dualInTest, List.of(List.of("1.2.3.4", "1000::"), List.of("1.2.3.5", "1000::1"),
                List.of("1.2.3.10", "2000::"), List.of("1.2.3.11", "2000::1")), true);
        clear(b, "dual-stack");
        b.apply("PreferDualStack: s1 gets dual-stack IPs", prefer("s1").pool("test"), gets("1.2.3.4", "1000::"))
                .apply("PreferDualStack: s2 gets ipv4 IP (pool test-v4)", prefer("s2").pool("test-v4"), gets("1.2.13.4"))
                .apply("PreferDualStack: s3 gets ipv6 IP (pool test-v6)", prefer("s3").pool("test-v6"), gets("1000::13:0"))
                .delete("PreferDualStack: s2 clear old ipv4 address", "s2", none())
                .apply("PreferDualStack: s3 gets dualstack (pool test-dualstack)", prefer("s3").pool("test-dualstack"),
                        gets("1.2.23.4", "1000::23:0"))
                .delete("unassign s5", "s5", none())
                .apply("allocating from a non-existent pool fails", v4("s5").pool("nonexistentpool"), refusedHolding());
        return b.build();
    }

    private static Svc prefer(String name) {
        return Svc.of(name).families("PreferDualStack", "IPv4", "IPv6");
    }

    /** TestAllocation: automatic IPs from two auto-assign pools. */
    static Scenario allocation() {
        Builder b = new Builder("TestAllocation").from("allocator_test.go TestAllocation")
                .pool(Pool.of("test1", "1.2.3.4/31", "1000::4/127"))
                .pool(Pool.of("test2", "1.2.3.10/31", "1000::10/127"));
        fillWaitShare(b, "an IPv4", s -> s, List.of(List.of("1.2.3.4"), List.of("1.2.3.5"), List.of("1.2.3.10"),
                List.of("1.2.3.11")), false);
        clear(b, "ipv4");
        fillWaitShare(b, "an IPv6", s -> v6(s.name()), List.of(List.of("1000::4"), List.of("1000::5"), List.of("1000::10"),
                List.of("1000::11")), false);
        clear(b, "ipv6");
        fillWaitShare(b, "dual-stack IPs", s -> dual(s.name()), List.of(List.of("1.2.3.4", "1000::4"),
                List.of("1.2.3.5", "1000::5"), List.of("1.2.3.10", "1000::10"), List.of("1.2.3.11", "1000::11")), false);
        return b.build();
    }
}
