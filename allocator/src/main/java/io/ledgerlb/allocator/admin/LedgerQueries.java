package io.ledgerlb.allocator.admin;

import io.ledgerlb.admin.v1.Assignment;
import io.ledgerlb.admin.v1.PoolUsage;
import io.ledgerlb.allocator.metrics.PoolCounts;
import io.ledgerlb.admin.v1.StateResponse;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.ledger.ChainReport;
import io.ledgerlb.ledger.IndexedRead;
import io.ledgerlb.ledger.Progress;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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
    private final SequenceIndex index;
    private final java.util.function.LongSupplier knownHead;

    public LedgerQueries(KafkaLedger ledger, PoolCounts.Source poolSize) {
        this(ledger, poolSize, () -> -1);
    }

    /**
     * @param knownHead the last sequence a follower of this ledger has seen (-1: none), so that the
     *                  time index reads up to it without asking Kafka where the log ends
     */
    public LedgerQueries(KafkaLedger ledger, PoolCounts.Source poolSize, java.util.function.LongSupplier knownHead) {
        this.ledger = ledger;
        this.poolSize = poolSize;
        this.index = new SequenceIndex(ledger);
        this.knownHead = knownHead;
    }

    /** Brings the time index up to the head a follower has seen, or else to the end of the log. */
    private void catchUp() throws LedgerFormatException {
        long head = knownHead.getAsLong();
        if (head >= 0) {
            index.catchUpTo(head);
        } else {
            index.catchUp();
        }
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

    /**
     * The last sequence whose event happened at or before {@code time} (0 when none did): a binary
     * search of the {@link SequenceIndex}, which reads what the log gained since it was last asked.
     */
    public long sequenceAt(Instant time) throws LedgerFormatException {
        catchUp();
        return index.lastAtOrBefore(time);
    }

    /** The states this reader keeps: points asked for, snapshots restored, checkpoints on the way. */
    private final KeptStates kept = new KeptStates();

    /**
     * The state at {@code sequence}: a state this reader keeps ({@link KeptStates}) folded on
     * from a copy, when it is the nearest at or before {@code sequence} and no snapshot lies
     * between (or it lies within {@link KeptStates#CHECKPOINT_EVERY} entries); else the newest
     * snapshot at or before {@code sequence}, restored afresh and folded on in place (a copy of a
     * large state costs nearly half a restore, so a restored snapshot is not kept to be copied).
     * The result is kept, and a fold of a small state keeps checkpoints on its way (see
     * {@link KeptStates}). The entries come through {@link KafkaLedger#readEntries}, which hands
     * on only those the trusted signed heads vouch for, and each must continue the state's chain;
     * a snapshot is restored only once checked against the chain. The state returned is shared
     * with later calls: read it, never change it.
     */
    public LedgerState stateAt(long sequence) throws LedgerFormatException {
        if (sequence == 0) {
            return new LedgerState();
        }
        Optional<LedgerState> near = kept.atOrBefore(sequence);
        if (near.isPresent() && near.get().sequence() == sequence) {
            return near.get();
        }
        LedgerState state;
        try {
            if (near.isPresent() && (sequence - near.get().sequence() <= KeptStates.CHECKPOINT_EVERY
                    || ledger.newestSnapshot(sequence) <= near.get().sequence())) {
                state = foldOn(near.get().copy(), sequence);
            } else {
                long snapshot = ledger.newestSnapshot(sequence);
                state = foldOn(snapshot == 0 ? new LedgerState() : ledger.stateAt(snapshot), sequence);
            }
        } catch (LedgerFormatException notOnThisChain) { // the topic was rebuilt since (recover)
            log.warn("state at {}: folding on from a kept state failed ({}); restoring afresh", sequence,
                    notOnThisChain.getMessage());
            kept.clear();
            state = ledger.stateAt(sequence);
        }
        kept.keep(state);
        return state;
    }

    /** Folds {@code state} (which nobody else holds) on to {@code sequence}, keeping checkpoints of a small state near the end. */
    private LedgerState foldOn(LedgerState state, long sequence) throws LedgerFormatException {
        if (state.sequence() == sequence) {
            return state;
        }
        long firstCheckpoint = sequence - KeptStates.CHECKPOINTS_PER_FOLD * KeptStates.CHECKPOINT_EVERY;
        ledger.readEntries(state.sequence() + 1, sequence, state.lastHash(), entry -> {
            try {
                state.apply(entry);
            } catch (io.ledgerlb.ledger.state.LedgerSequenceException e) {
                throw new LedgerFormatException(entry.sequence(), e.getMessage(), e);
            }
            long at = entry.sequence();
            if (at % KeptStates.CHECKPOINT_EVERY == 0 && at > firstCheckpoint && at < sequence
                    && KeptStates.worthCopying(state)) {
                kept.keep(state.copy());
            }
        }, null);
        if (state.sequence() < sequence) {
            throw new IllegalArgumentException("the ledger ends at sequence " + state.sequence() + ", before " + sequence);
        }
        return state;
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
        for (PoolView pool : pools(state)) {
            response.addPools(PoolUsage.newBuilder().setName(pool.name()).addAllAddresses(pool.addresses())
                    .setAssigned(pool.assigned()).setTotal(pool.total()));
        }
        return response.build();
    }

    // ---- the explorer's views (paged, indexed: each reads what it shows, not the whole ledger)

    /**
     * The newest {@code limit} entries the query selects with a sequence below {@code before} (0:
     * no bound), in ledger order. The time range becomes a sequence range through the
     * {@link SequenceIndex}; a query about a subject then reads one page of the SQLite audit index
     * (same conditions and checks as {@link #audit}); otherwise the topic is read backwards from
     * the range's end in chunks until the page is full.
     */
    public TimelinePage timeline(AuditQuery query, long before, int limit) throws LedgerFormatException {
        if (limit < 1) {
            throw new IllegalArgumentException("a page holds at least one entry, asked for " + limit);
        }
        catchUp();
        long from = query.since().map(index::firstAtOrAfter).orElse(1L);
        long to = query.until().map(index::lastAtOrBefore).orElse(index.last());
        if (before > 0) {
            to = Math.min(to, before - 1);
        }
        if (from > to) {
            return new TimelinePage(List.of(), false, false);
        }
        Predicate<Event> selected = query.filter();
        if (!query.subjects().isEmpty()) {
            IndexedRead read = ledger.readIndexed(query.subjects(), from, to, limit + 1);
            if (read.used()) {
                List<LedgerEntry> newestFirst = read.entries();
                List<LedgerEntry> page = new ArrayList<>(newestFirst.subList(0, Math.min(limit, newestFirst.size())));
                page.removeIf(e -> !selected.test(e.event()));
                java.util.Collections.reverse(page);
                return new TimelinePage(page, newestFirst.size() > limit, true);
            }
            log.warn("timeline {}: reading the topic, the audit index is not used: {}", query.subjects(), read.detail());
        }
        java.util.ArrayDeque<LedgerEntry> newestFirst = new java.util.ArrayDeque<>();
        long chunk = Math.max(limit + 1L, 1000);
        for (long end = to; end >= from && newestFirst.size() <= limit; end -= chunk) {
            long start = Math.max(from, end - chunk + 1);
            List<LedgerEntry> found = new ArrayList<>();
            ledger.readEntries(start, end, entry -> {
                if (selected.test(entry.event())) {
                    found.add(entry);
                }
            }, null);
            for (int i = found.size() - 1; i >= 0; i--) {
                newestFirst.addLast(found.get(i));
            }
        }
        List<LedgerEntry> page = new ArrayList<>(newestFirst).subList(0, Math.min(limit, newestFirst.size()));
        List<LedgerEntry> ordered = new ArrayList<>(page);
        java.util.Collections.reverse(ordered);
        return new TimelinePage(ordered, newestFirst.size() > limit, false);
    }

    /** The last sequence of the ledger as far as the time index has read it (reading what is new first). */
    public long lastSequence() throws LedgerFormatException {
        catchUp();
        return index.last();
    }

    /** The time of an entry, when the ledger has it. */
    public Optional<Instant> timeOf(long sequence) throws LedgerFormatException {
        index.catchUpTo(sequence);
        return index.timeOf(sequence);
    }

    /** The time of the first entry: where the ledger begins. */
    public Optional<Instant> firstTime() throws LedgerFormatException {
        return timeOf(1);
    }

    /** Lets the time index read entries the caller already folded (the live view's follower). */
    public void indexUpTo(long sequence) throws LedgerFormatException {
        index.catchUpTo(sequence);
    }

    /** Services refused and given nothing since, by their latest refusal (as of the end of the log). */
    public List<WaitingRefusal> waiting() throws LedgerFormatException {
        catchUp();
        return index.waiting();
    }

    /**
     * The pools of a state with their use: the addresses held counted in one pass over the
     * state's holdings (an IP shared by several Services counts once: by its first holder), each
     * pool's size from the allocation core's range arithmetic, kept per definition (it depends on
     * nothing else). The answer is kept for the last few states asked about (by identity and
     * sequence: the live state changes in place, its sequence with it), since the pool views ask
     * again for the same state.
     */
    public List<PoolView> pools(LedgerState state) {
        synchronized (poolsOf) {
            for (PoolsOf p : poolsOf) {
                if (p.state().get() == state && p.sequence() == state.sequence()) {
                    return p.pools();
                }
            }
        }
        Map<String, int[]> held = new java.util.HashMap<>();
        for (ServiceKey key : state.servicesWithAssignments()) {
            for (IpAssigned a : state.assignmentsOf(key)) {
                if (firstInItsPool(state.holders(a.getIp()), a)) {
                    held.computeIfAbsent(a.getPool(), p -> new int[1])[0]++;
                }
            }
        }
        List<PoolView> pools = new ArrayList<>();
        state.pools().forEach((name, pool) -> {
            int assigned = held.getOrDefault(name, new int[1])[0];
            pools.add(new PoolView(name, pool.getAddressesList(), pool.getAutoAssign(), assigned,
                    Math.max(assigned, sizeOf(pool))));
        });
        List<PoolView> answer = List.copyOf(pools);
        synchronized (poolsOf) {
            poolsOf.addFirst(new PoolsOf(new java.lang.ref.WeakReference<>(state), state.sequence(), answer));
            while (poolsOf.size() > 8) {
                poolsOf.removeLast();
            }
        }
        return answer;
    }

    /** Whether {@code a} is the first of an IP's holders in its pool (most IPs have one holder). */
    private static boolean firstInItsPool(java.util.Collection<IpAssigned> holders, IpAssigned a) {
        if (holders.size() == 1) {
            return true;
        }
        for (IpAssigned h : holders) {
            if (h == a) {
                return true;
            }
            if (h.getPool().equals(a.getPool())) {
                return false;
            }
        }
        return true;
    }

    private record PoolsOf(java.lang.ref.WeakReference<LedgerState> state, long sequence, List<PoolView> pools) {}

    private final java.util.Deque<PoolsOf> poolsOf = new java.util.ArrayDeque<>();

    /** Pool sizes by definition, as the allocation core counts them (saturated for huge IPv6 pools). */
    private final Map<io.ledgerlb.events.v1.PoolDefined, Long> sizes = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int SIZES_KEPT = 10_000;

    private long sizeOf(io.ledgerlb.events.v1.PoolDefined pool) {
        Long size = sizes.get(pool);
        if (size == null) {
            size = PoolCounts.of(onlyPools(List.of(pool)), poolSize).values().stream().mapToLong(PoolCounts::size)
                    .findFirst().orElse(0);
            if (sizes.size() >= SIZES_KEPT) {
                sizes.clear();
            }
            sizes.put(pool, size);
        }
        return size;
    }

    /** A state holding nothing but these pool definitions. */
    private static LedgerState onlyPools(List<io.ledgerlb.events.v1.PoolDefined> pools) {
        io.ledgerlb.events.v1.StateSnapshot.Builder snapshot = io.ledgerlb.events.v1.StateSnapshot.newBuilder()
                .setFormatVersion(LedgerState.SNAPSHOT_FORMAT_VERSION)
                .setLastHash(com.google.protobuf.ByteString.copyFrom(io.ledgerlb.ledger.event.HashChain.GENESIS));
        pools.forEach(p -> snapshot.addRecords(Event.newBuilder().setPoolDefined(p)));
        try {
            return LedgerState.fromSnapshot(snapshot.build());
        } catch (LedgerFormatException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** A filter of holdings that keeps every one (a page of them needs no test of each). */
    public static final Predicate<Holding> EVERY_HOLDING = h -> true;

    /** Who holds which IP in a state, by Service then IP, those the filter keeps. */
    public List<Holding> holdings(LedgerState state, Predicate<Holding> keep) {
        return holdings(state, keep, 0, Integer.MAX_VALUE).items();
    }

    /**
     * One page of {@link #holdings(LedgerState, Predicate)}: only the Services the page needs
     * are sorted (the smallest {@code offset + limit}, through a bounded heap), so that a page of
     * a state of 50,000 holdings does not sort them all.
     */
    public HoldingsPage holdings(LedgerState state, Predicate<Holding> keep, int offset, int limit) {
        int total = 0;
        int wanted = (int) Math.min(Integer.MAX_VALUE, (long) offset + limit);
        java.util.PriorityQueue<ServiceKey> first = new java.util.PriorityQueue<>(Comparator.reverseOrder());
        for (ServiceKey key : state.servicesWithAssignments()) {
            int kept = 0;
            if (keep == EVERY_HOLDING) {
                kept = state.assignmentsOf(key).size();
            } else {
                for (IpAssigned a : state.assignmentsOf(key)) {
                    if (keep.test(holding(key, a))) {
                        kept++;
                    }
                }
            }
            if (kept == 0) {
                continue;
            }
            total += kept;
            if (first.size() < wanted) {
                first.add(key);
            } else if (key.compareTo(first.peek()) < 0) {
                first.poll();
                first.add(key);
            }
        }
        List<ServiceKey> services = new ArrayList<>(first);
        services.sort(null);
        List<Holding> ordered = new ArrayList<>();
        for (ServiceKey key : services) {
            for (IpAssigned a : state.assignmentsOf(key)) {
                Holding h = holding(key, a);
                if (keep.test(h)) {
                    ordered.add(h);
                }
            }
        }
        int from = Math.min(offset, ordered.size());
        return new HoldingsPage(total, from, ordered.subList(from, Math.min(ordered.size(), wanted)));
    }

    private static Holding holding(ServiceKey key, IpAssigned a) {
        return new Holding(key, a.getIp(), a.getPool(), a.getSharingKey());
    }

    /**
     * What changed from sequence {@code from} to {@code to} (either order): the two states
     * compared Service by Service, and the refusals recorded in between (the newest
     * {@code refusalLimit}, read by sequence).
     */
    public StateDiff diff(long from, long to, int refusalLimit) throws LedgerFormatException {
        long a = Math.min(from, to);
        long b = Math.max(from, to);
        LedgerState before = stateAt(a);
        LedgerState after = stateAt(b);
        java.util.SortedSet<ServiceKey> services = new TreeSet<>(before.servicesWithAssignments());
        services.addAll(after.servicesWithAssignments());
        List<StateDiff.Change> changes = new ArrayList<>();
        for (ServiceKey service : services) {
            List<String> was = ips(before, service);
            List<String> is = ips(after, service);
            if (was.equals(is)) {
                continue;
            }
            StateDiff.Kind kind = was.isEmpty() ? StateDiff.Kind.ASSIGNED : is.isEmpty() ? StateDiff.Kind.RELEASED
                    : StateDiff.Kind.MOVED;
            String pool = (is.isEmpty() ? before : after).assignmentsOf(service).stream().map(IpAssigned::getPool)
                    .distinct().collect(java.util.stream.Collectors.joining(","));
            changes.add(new StateDiff.Change(kind, service, was, is, pool));
        }
        index.catchUpTo(b);
        List<LedgerEntry> refused = new ArrayList<>();
        for (long sequence : index.refusalsBetween(a + 1, b, refusalLimit)) {
            entry(sequence).ifPresent(refused::add);
        }
        return new StateDiff(a, b, changes, refused, index.refusalCount(a + 1, b));
    }

    private static List<String> ips(LedgerState state, ServiceKey service) {
        return state.assignmentsOf(service).stream().map(IpAssigned::getIp).sorted().toList();
    }

    /** One entry by sequence: from the SQLite journal when there is one (checked), else from the topic. */
    public Optional<LedgerEntry> entry(long sequence) throws LedgerFormatException {
        if (ledger.database().isPresent()) {
            Optional<byte[]> stored = ledger.database().get().entry(sequence);
            if (stored.isPresent()) {
                LedgerEntry entry = LedgerEntry.decode(stored.get());
                if (entry.sequence() != sequence || !entry.hashValid()) {
                    throw new LedgerFormatException(sequence, "journal row " + sequence + " is not the intact entry"
                            + " of that sequence (altered)");
                }
                return Optional.of(entry);
            }
        }
        List<LedgerEntry> found = new ArrayList<>(1);
        ledger.readEntries(sequence, sequence, found::add, null);
        return found.stream().findFirst();
    }

    /** The result of walking the chains: the topic's, the journal's, and the audit index against the journal. */
    public record Verification(ChainReport topic, Optional<ChainReport> journal,
                               Optional<io.ledgerlb.ledger.sqlite.AuditIndex.Report> index) {
        public boolean intact() {
            return topic.intact() && journal.map(ChainReport::intact).orElse(true)
                    && index.map(io.ledgerlb.ledger.sqlite.AuditIndex.Report::intact).orElse(true);
        }
    }

    /**
     * What {@code ledgerlb verify} checks (without {@code --cluster}): both chains link by link
     * from the first entry, and the audit index against the journal. Progress counts the
     * entries of both walks.
     */
    public Verification verify(Progress progress) {
        boolean journaled = ledger.database().isPresent(); // then the journal's walk doubles the work
        ChainReport topic = ledger.verifyLog((done, total) -> progress.update(done, journaled && total >= 0 ? 2 * total : total));
        Optional<ChainReport> journal = ledger.database().map(db -> ledger.verifyJournal(
                (done, total) -> progress.update(topic.checked() + done, total < 0 ? -1 : topic.checked() + total)));
        Optional<io.ledgerlb.ledger.sqlite.AuditIndex.Report> index = ledger.database()
                .filter(db -> db instanceof io.ledgerlb.ledger.sqlite.LedgerDatabase)
                .map(db -> ((io.ledgerlb.ledger.sqlite.LedgerDatabase) db).auditIndex().verify());
        return new Verification(topic, journal, index);
    }
}
