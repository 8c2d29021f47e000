package io.ledgerlb.allocator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.allocator.controller.ConformanceTable.Pool;
import io.ledgerlb.allocator.controller.ConformanceTable.Svc;
import io.ledgerlb.allocator.core.InMemoryChain;
import io.ledgerlb.allocator.k8s.adapter.MetalLbKinds;
import io.ledgerlb.allocator.metrics.PoolCounts;
import io.ledgerlb.events.v1.Cause;
import io.ledgerlb.ledger.state.ServiceKey;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MetalLB v0.16.1's {@code internal/allocator/allocator_test.go} {@code TestPoolCount}, every row:
 * a pool's size in total and per family (what its status and metrics report), through the config
 * mapping and the allocation core as the controller counts. MetalLB saturates a huge IPv6 pool at
 * {@code math.MaxInt64}; so does ledgerlb. And {@code TestPoolMetrics}: addresses in use as
 * Services come and go, a shared IP counted once.
 */
class MetalLbPoolCountTest {
    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of("BGP /24", Pool.of("p", "1.2.3.0/24"), 256L, 256L, 0L),
                Arguments.of("BGP /24 and /25", Pool.of("p", "1.2.3.0/24", "2.3.4.128/25"), 384L, 384L, 0L),
                Arguments.of("BGP /24 and /25, no buggy IPs", Pool.of("p", "1.2.3.0/24", "2.3.4.128/25").avoidBuggy(),
                        381L, 381L, 0L),
                Arguments.of("BGP a BIG ipv6 range", Pool.of("p", "1.2.3.0/24", "2.3.4.128/25", "1000::/64").avoidBuggy(),
                        Long.MAX_VALUE, 381L, Long.MAX_VALUE),
                Arguments.of("ipv4 and ipv6 range", Pool.of("p", "1.2.3.0/31", "1000::/127").avoidBuggy(), 3L, 1L, 2L));
    }

    @Test
    void addressesInUseAsMetalLbsTestPoolMetrics() throws Exception {
        PureDriver driver = new PureDriver();
        driver.definePool(Pool.of("test", "1.2.3.4/30", "1000::4/126"));
        PoolCounts initial = step.count(driver.state(), "test");
        assertThat(initial.size()).as("capacity").isEqualTo(8);
        assertThat(List.of(initial.availableV4(), initial.availableV6(), initial.assignedV4(), initial.assignedV6()))
                .containsExactly(4L, 4L, 0L, 0L);

        inUse(driver, "assign s1", () -> assign(driver, Svc.of("s1").ips("1.2.3.4")), 1);
        inUse(driver, "assign s2", () -> assign(driver, Svc.of("s2").ips("1.2.3.5")), 2);
        inUse(driver, "unassign s1", () -> driver.delete(key("s1")), 1);
        inUse(driver, "unassign s2", () -> driver.delete(key("s2")), 0);
        inUse(driver, "assign s1 shared", () -> assign(driver, Svc.of("s1").ips("1.2.3.4").sharing("key").ports("tcp/80")), 1);
        inUse(driver, "assign s2 shared", () -> assign(driver, Svc.of("s2").ips("1.2.3.4").sharing("key").ports("tcp/443")), 1);
        inUse(driver, "assign s3 shared", () -> assign(driver, Svc.of("s3").ips("1.2.3.4").sharing("key").ports("tcp/23")), 1);
        inUse(driver, "unassign s1 shared", () -> driver.delete(key("s1")), 1);
        inUse(driver, "unassign s2 shared", () -> driver.delete(key("s2")), 1);
        inUse(driver, "unassign s3 shared", () -> driver.delete(key("s3")), 0);
    }

    final CoreAllocationStep step = CoreAllocationStep.forCounting();

    static ServiceKey key(String name) {
        return new ServiceKey(ConformanceTable.NAMESPACE, name);
    }

    /** Applies the Service and checks it was not refused (a refusal would leave the count unchanged too). */
    static void assign(PureDriver driver, Svc svc) {
        assertThat(driver.apply(svc)).as("%s refused", svc.name()).isFalse();
        assertThat(driver.state().assignmentsOf(svc.key())).isNotEmpty();
    }

    void inUse(PureDriver driver, String row, Runnable change, long expected) {
        change.run();
        assertThat(step.count(driver.state(), "test").assigned()).as("TestPoolMetrics: " + row).isEqualTo(expected);
    }

    @ParameterizedTest(name = "TestPoolCount: {0}")
    @MethodSource("rows")
    void poolSizesAsMetalLbCountsThem(String row, Pool pool, long total, long ipv4, long ipv6) {
        InMemoryChain chain = new InMemoryChain(step::applied);
        AllocationStep.Decision defined = step.config(chain.state(), MetalLbKinds.IP_ADDRESS_POOL, pool.resource(),
                Cause.getDefaultInstance(), Instant.parse("2026-12-07T13:00:00Z"));
        assertThat(defined.invalid()).isEmpty();
        chain.append(defined.events());

        PoolCounts counts = step.count(chain.state(), "p");
        assertThat(counts.size()).as("total").isEqualTo(total);
        assertThat(counts.availableV4()).as("ipv4").isEqualTo(ipv4);
        assertThat(counts.availableV6()).as("ipv6").isEqualTo(ipv6);
    }
}
