package io.ledgerlb.allocator.core;

import io.ledgerlb.events.v1.Cause;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.events.v1.ServiceAllocation;
import java.time.Instant;
import java.util.List;

/** Small builders shared by the allocator tests. */
final class Fixtures {
    static final Instant NOW = Instant.parse("2026-12-02T04:00:00Z");

    private Fixtures() {}

    static PoolDefined pool(String name, String... addresses) {
        return PoolDefined.newBuilder().setName(name).addAllAddresses(List.of(addresses)).setAutoAssign(true).build();
    }

    static PoolDefined withAllocation(PoolDefined pool, ServiceAllocation allocation) {
        return pool.toBuilder().setServiceAllocation(allocation).build();
    }

    static Cause cause(String kind, String name) {
        return Cause.newBuilder().setKind(kind).setNamespace("default").setName(name).setReason("Test").build();
    }

    static ServiceRequest.Builder svc(String name) {
        return ServiceRequest.builder("default", name).uid("uid-" + name);
    }
}
