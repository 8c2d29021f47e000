package io.ledgerlb.allocator.admin;

import io.ledgerlb.admin.v1.Assignment;
import io.ledgerlb.admin.v1.PoolUsage;
import io.ledgerlb.allocator.metrics.PoolCounts;
import io.ledgerlb.admin.v1.StateResponse;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.ledger.IndexedRead;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Audit and state queries over a ledger: what the admin API serves and the CLI runs when no allocator answers. */
public final class LedgerQueries {
    private static final Logger log = LoggerFactory.getLogger(LedgerQueries.class);

    private final KafkaLedger ledger;
    private final PoolCounts.Source poolSize;

    public LedgerQueries(KafkaLedger ledger, PoolCounts.Source poolSize) {
        this.ledger = ledger;
        this.poolSize = poolSize;
    }

    /**
     * The entries the query selects, in ledger order. A query about an IP, a Service or a pool is
     * answered from the SQLite audit index when it covers the whole topic (see
     * {@link KafkaLedger#readIndexed}); otherwise, and for a query by time only, by scanning the
     * topic. A log line says which.
     */
    public List<Event> audit(AuditQuery query) throws LedgerFormatException {
        List<Event> found = new ArrayList<>();
        Predicate<Event> selected = query.filter();
        if (!query.subjects().isEmpty()) {
            IndexedRead read = ledger.readIndexed(query.subjects());
            if (read.used()) {
                read.entries().stream().map(LedgerEntry::event).filter(selected).forEach(found::add);
                log.info("audit {}: {} entries through the SQLite audit index ({})", query.subjects(), found.size(),
                        read.detail());
                return found;
            }
            log.warn("audit {}: scanning the whole topic, the audit index is not used: {}", query.subjects(), read.detail());
        }
        ledger.read(1, entry -> {
            if (selected.test(entry.event())) {
                found.add(entry.event());
            }
        });
        return found;
    }

    /** The last sequence whose event happened at or before {@code time} (0 when none did). */
    public long sequenceAt(Instant time) throws LedgerFormatException {
        long[] last = {0};
        ledger.read(1, entry -> {
            if (!AuditQuery.instant(entry.event().getTime()).isAfter(time)) {
                last[0] = entry.sequence();
            }
        });
        return last[0];
    }

    public LedgerState stateAt(long sequence) throws LedgerFormatException {
        return sequence == 0 ? new LedgerState() : ledger.stateAt(sequence);
    }

    /** A state as the admin API and {@code ledgerlb state} show it. */
    public StateResponse describe(LedgerState state) {
        StateResponse.Builder response = StateResponse.newBuilder()
                .setSequence(state.sequence())
                .setLastHashHex(HexFormat.of().formatHex(state.lastHash()));
        for (ServiceKey key : new TreeSet<>(state.servicesWithAssignments())) {
            for (IpAssigned a : state.assignmentsOf(key)) {
                response.addAssignments(Assignment.newBuilder().setNamespace(key.namespace()).setName(key.name())
                        .setIp(a.getIp()).setPool(a.getPool()).setSharingKey(a.getSharingKey()));
            }
        }
        Map<String, PoolCounts> usage =
                PoolCounts.of(state, poolSize);
        state.pools().forEach((name, pool) -> {
            var u = Optional.ofNullable(usage.get(name));
            response.addPools(PoolUsage.newBuilder().setName(name).addAllAddresses(pool.getAddressesList())
                    .setAssigned(u.map(PoolCounts::assigned).orElse(0L))
                    .setTotal(u.map(PoolCounts::size).orElse(0L)));
        });
        return response.build();
    }
}
