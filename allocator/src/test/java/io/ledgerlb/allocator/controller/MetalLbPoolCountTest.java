package io.ledgerlb.allocator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.allocator.controller.ConformanceTable.Pool;
import io.ledgerlb.allocator.core.InMemoryChain;
import io.ledgerlb.allocator.k8s.adapter.MetalLbKinds;
import io.ledgerlb.allocator.metrics.PoolCounts;
import io.ledgerlb.events.v1.Cause;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MetalLB v0.16.1's {@code internal/allocator/allocator_test.go} {@code TestPoolCount}, every row:
 * a pool's size in total and per family (what its status and metrics report), through the config
 * mapping and the allocation core as the controller counts. MetalLB saturates a huge IPv6 pool at
 * {@code math.MaxInt64}; so does ledgerlb.
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

    @ParameterizedTest(name = "TestPoolCount: {0}")
    @MethodSource("rows")
    void poolSizesAsMetalLbCountsThem(String row, Pool pool, long total, long ipv4, long ipv6) {
        CoreAllocationStep step = CoreAllocationStep.forCounting();
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
