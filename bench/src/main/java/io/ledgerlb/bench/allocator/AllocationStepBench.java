package io.ledgerlb.bench.allocator;

import com.google.protobuf.ByteString;
import io.ledgerlb.allocator.core.Allocator;
import io.ledgerlb.allocator.core.Decision;
import io.ledgerlb.allocator.core.Port;
import io.ledgerlb.allocator.core.ServiceRequest;
import io.ledgerlb.events.v1.Cause;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.ledger.event.HashChain;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.state.LedgerState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pure allocation step for 100,000 Services over one /16 pool (65,536 addresses): Services
 * come in pairs under one allow-shared-ip key (ports 80 and 443), so half the allocations take a
 * free IP and half join a shared one; 50,000 IPs end up assigned. Each allocation is the step
 * plus folding its events into the state (the only way the state changes), so that the next step
 * sees it. References in the same run: folding the same events alone, and a HashMap put per Service.
 *
 * <p>The entries are chained with a fixed dummy hash: sealing (SHA-256) is the ledger writer's
 * cost, measured in the ledger's section, and would hide the step's.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar AllocationStep -f 1 -wi 2 -i 3}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public class AllocationStepBench {
    static final int SERVICES = 100_000;
    static final byte[] DUMMY_HASH = HashChain.sha256(new byte[] {1});
    static final ByteString DUMMY_PREV_HASH = ByteString.copyFrom(DUMMY_HASH);
    static final Instant NOW = Instant.parse("2026-12-02T00:00:00Z");

    ServiceRequest[] services;
    Cause[] causes;
    List<Event> recordedEvents;
    LedgerEntry poolEntry;

    LedgerState state;
    Allocator allocator;

    @Setup(Level.Trial)
    public void prepare() {
        services = new ServiceRequest[SERVICES];
        causes = new Cause[SERVICES];
        for (int i = 0; i < SERVICES; i++) {
            String name = "svc-" + i;
            services[i] = ServiceRequest.builder("bench", name)
                    .uid("uid-" + i)
                    .annotations(Map.of("metallb.io/allow-shared-ip", "pair-" + (i / 2)))
                    .ports(Port.tcp(i % 2 == 0 ? 80 : 443))
                    .backendKey("app=" + name)
                    .build();
            causes[i] = Cause.newBuilder().setKind("Service").setNamespace("bench").setName(name)
                    .setUid("uid-" + i).setResourceVersion("1").setReason("ServiceCreated").build();
        }
        poolEntry = entry(Event.newBuilder().setActor("bench").setPoolDefined(PoolDefined.newBuilder()
                .setName("bench").addAddresses("10.0.0.0/16").setAutoAssign(true)).build(), 1,
                ByteString.copyFrom(HashChain.GENESIS));
        freshState();
        recordedEvents = new ArrayList<>(SERVICES);
        allocateAll(recordedEvents);
        if (state.assignedIpCount() != SERVICES / 2) {
            throw new IllegalStateException("expected " + SERVICES / 2 + " IPs, got " + state.assignedIpCount());
        }
    }

    @Setup(Level.Invocation)
    public void freshState() {
        state = new LedgerState();
        state.apply(poolEntry);
        allocator = new Allocator("bench", null);
    }

    /** One decision per Service, folded as it is decided. */
    @Benchmark
    @OperationsPerInvocation(SERVICES)
    public LedgerState allocate() {
        allocateAll(null);
        return state;
    }

    /** Reference: chaining and folding the events those decisions produced, without deciding. */
    @Benchmark
    @OperationsPerInvocation(SERVICES)
    public LedgerState foldOnly() {
        for (Event event : recordedEvents) {
            state.apply(entry(event, state.sequence() + 1, DUMMY_PREV_HASH));
        }
        return state;
    }

    /**
     * The step alone, not committed: a new Service (and a new member of a sharing pair) decided
     * against the state holding all 100,000 Services. Nothing is folded, so every call decides the same.
     */
    @Benchmark
    @OperationsPerInvocation(2)
    public void decideOnly(Full full, org.openjdk.jmh.infra.Blackhole blackhole) {
        blackhole.consume(full.allocator.serviceChanged(full.state, full.newService, full.newCause, NOW));
        blackhole.consume(full.allocator.serviceChanged(full.state, full.newSharing, full.newCause, NOW));
    }

    /** The state after all 100,000 allocations, shared by the decideOnly calls. */
    @State(Scope.Thread)
    public static class Full {
        LedgerState state;
        Allocator allocator;
        ServiceRequest newService;
        ServiceRequest newSharing;
        Cause newCause;

        @Setup(Level.Trial)
        public void fill() {
            AllocationStepBench bench = new AllocationStepBench();
            bench.prepare();
            state = bench.state;
            allocator = bench.allocator;
            newService = ServiceRequest.builder("bench", "new").uid("uid-new").ports(Port.tcp(80)).build();
            newSharing = ServiceRequest.builder("bench", "new-shared").uid("uid-new-shared")
                    .annotations(Map.of("metallb.io/allow-shared-ip", "pair-7")).ports(Port.tcp(8080)).build();
            newCause = Cause.newBuilder().setKind("Service").setNamespace("bench").setName("new").build();
        }
    }

    /** Reference: a HashMap put per Service (the least any index of 100k Services costs). */
    @Benchmark
    @OperationsPerInvocation(SERVICES)
    public Map<String, String> hashMapPut() {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < SERVICES; i++) {
            map.put(services[i].key().name(), causes[i].getName());
        }
        return map;
    }

    private void allocateAll(List<Event> record) {
        for (int i = 0; i < SERVICES; i++) {
            Decision decision = allocator.serviceChanged(state, services[i], causes[i], NOW);
            for (Event event : decision.events()) {
                LedgerEntry entry = entry(event, state.sequence() + 1, DUMMY_PREV_HASH);
                state.apply(entry);
                allocator.applied(entry, state);
                if (record != null) {
                    record.add(event);
                }
            }
        }
    }

    private static LedgerEntry entry(Event body, long sequence, ByteString prevHash) {
        Event event = body.toBuilder().setSequence(sequence).setPrevHash(prevHash).build();
        return new LedgerEntry(event, new byte[0], DUMMY_HASH);
    }
}
