package io.ledgerlb.allocator.core;

import io.ledgerlb.events.v1.Cause;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.events.v1.ReleaseReason;
import io.ledgerlb.events.v1.ServiceRef;
import io.ledgerlb.ledger.LedgerListener;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.net.InvalidAddressException;
import io.ledgerlb.net.IpAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The pure allocation step: the current {@link LedgerState} (read, never changed) and one input
 * give a {@link Decision}: the events to commit and the outcome to show. The same state and input
 * always give the same events.
 *
 * <h2>Which IP a Service gets</h2>
 * A Service of type LoadBalancer whose {@code loadBalancerClass} is the one this allocator serves
 * (by default: no class) is placed by the first rule that applies:
 * <ol>
 *   <li><b>It keeps what it holds</b> when that is still valid: the pool still exists and
 *       contains the IPs (and they are not excluded by avoidBuggyIPs), the families match the
 *       Service's, any requested IPs or pool are the ones held, sharing still holds with the
 *       other holders, and the pool's serviceAllocation still selects the Service (see below),
 *       however the IPs were asked for. If only facts changed (ports, sharing key, backends,
 *       uid), the holding is recorded again; otherwise nothing is recorded. A PreferDualStack
 *       Service holding one family of a pool that offers both keeps that one IP: deciding it again
 *       never moves it.</li>
 *   <li><b>Adopted from status</b>, on first sight: a Service the ledger holds nothing for keeps the
 *       IPs its {@code status.loadBalancer.ingress} shows when they are valid for it as a holding
 *       would be (recorded with cause reason {@value #ADOPTED_FROM_STATUS}; a PreferDualStack
 *       Service's one status IP is adopted alone, as it would be kept); otherwise the next
 *       rules place it and a warning says why the status IPs were not kept.</li>
 *   <li><b>Requested IPs</b>: the {@code metallb.io/loadBalancerIPs} annotation (one IP per family)
 *       or {@code spec.loadBalancerIP} — never both. Each must be in a pool (the requested one,
 *       when a pool is also requested; all in the same pool) whose serviceAllocation selects the
 *       Service, and free or shareable.</li>
 *   <li><b>A requested pool</b> ({@code metallb.io/address-pool}), whether or not it auto-assigns,
 *       if its serviceAllocation selects the Service.</li>
 *   <li>Otherwise the <b>autoAssign pools whose serviceAllocation selects the Service</b>
 *       (namespaces, namespaceSelectors, serviceSelectors: {@link PoolSpec#whyNotSelected}), by
 *       priority (lower first, unset last), then by name;</li>
 *   <li>then the <b>autoAssign pools without serviceAllocation</b>, by name.</li>
 * </ol>
 * Within the first of those pools that can serve every family the Service needs, for each
 * family: an IP the Service held before (now, or before it was deleted) if it is free; else, with
 * an allow-shared-ip key, the lowest IP already held under that key that it may share; else the
 * lowest free IP, iterating the pool's ranges in the order written. Families: SingleStack takes
 * the first of {@code ipFamilies}; RequireDualStack needs a pool with both; PreferDualStack takes
 * what the pool offers of the Service's families.
 *
 * <p><b>Sharing</b>: an IP held by others can be taken only with the same allow-shared-ip key, no
 * common port (protocol and number), and the same backend key — MetalLB's: the selector under
 * externalTrafficPolicy Local, empty under Cluster.
 *
 * <p>A request that cannot be met gives an {@code AllocationRefused} event, and the Service gives up
 * what it held (MetalLB clears a Service before it tries a changed request), so the sharing rules
 * hold whatever was refused. A request that cannot even be read (malformed annotations) keeps what
 * is held, with its facts re-recorded, unless its pool no longer selects the Service or the IP may
 * no longer be shared. A Service that is no longer ours releases its IPs. Waiting Services are
 * re-decided by the caller when capacity is freed ({@link WaitingServices}).
 *
 * <p><b>Selection is checked for every IP</b>, as MetalLB does: a requested IP or pool whose pool's
 * serviceAllocation does not select the Service is refused ({@code PoolDoesNotSelectService}, the
 * message naming the pool and what did not match). IPs held are kept only while their pool still
 * selects the Service, however they were asked for. When its labels, its namespace's or the pool's
 * selectors change so that the pool no longer does, the Service is placed again by the rules above
 * (another pool that selects it, or an autoAssign pool without serviceAllocation — never for a
 * requested IP or pool, which stays what was asked for); when none can take it, its IPs are released
 * (reason NO_LONGER_SELECTED) with the refusal. MetalLB likewise checks a held IP again on every
 * pass, clears it ("current IP not allowed by config") and then fails to allocate the requested one.
 *
 * <p>The allocator keeps a cache derived from the state (see {@link AllocationIndex}). Register it
 * as a {@link LedgerListener} of the follower that folds the state, so the cache follows each
 * entry in O(1); without that it is rebuilt when the state moved, which is correct but O(assignments).
 * Not thread-safe beyond its own lock: callers must not fold the state while a step reads it.
 */
public final class Allocator implements LedgerListener {
    /** The cause reason of an assignment that adopts the IPs a Service's status showed on first sight. */
    public static final String ADOPTED_FROM_STATUS = "AdoptedFromStatus";
    /** How a warning about status IPs that could not be adopted starts (the adapter shows it as such). */
    public static final String ADOPTION_REFUSED = "IPs ";
    /** The refusal reason of a RequireDualStack Service whose cluster IPs are single-stack. */
    public static final String SINGLE_STACK_CLUSTER_IP = "SingleStackClusterIP";
    /** The cause reason of the entry by which a reserved Service that reappeared claims its IPs. */
    public static final String RESERVATION_CLAIMED = "ReappearedWhileRestoring";
    private final String actor;
    private final String loadBalancerClass;
    private final AllocationIndex index = new AllocationIndex();

    /**
     * @param actor             recorded on every event (e.g. the allocator's pod name)
     * @param loadBalancerClass the class served, or null for Services without a class
     */
    public Allocator(String actor, String loadBalancerClass) {
        this.actor = Objects.requireNonNull(actor, "actor");
        this.loadBalancerClass = loadBalancerClass == null || loadBalancerClass.isEmpty() ? null : loadBalancerClass;
    }

    public String loadBalancerClass() {
        return loadBalancerClass;
    }

    /**
     * A Service was created or changed (or is seen again on a resync). While restoring, a reserved
     * Service that appears again first claims its reservation; then it is decided as any Service,
     * so it keeps the IPs it holds when they still fit it.
     */
    public synchronized Decision serviceChanged(LedgerState state, ServiceRequest service, Cause cause, Instant now) {
        Decision decided = decide(state, service, cause, now);
        if (!state.isReserved(service.key())) {
            return decided;
        }
        List<String> ips = sortedByIp(state.assignmentsOf(service.key())).stream().map(IpAssigned::getIp).toList();
        List<Event> events = new ArrayList<>();
        events.add(new EventFactory(actor, cause, now).because(RESERVATION_CLAIMED).reservationClaimed(service.ref(), ips));
        events.addAll(decided.events());
        return new Decision(events, decided.outcome());
    }

    private Decision decide(LedgerState state, ServiceRequest service, Cause cause, Instant now) {
        AllocationIndex view = index.of(state);
        EventFactory events = new EventFactory(actor, cause, now);
        List<IpAssigned> held = List.copyOf(state.assignmentsOf(service.key()));
        String notOurs = whyNotOurs(service);
        if (notOurs != null) {
            return held.isEmpty()
                    ? new Decision(List.of(), new Outcome.NotOurs(notOurs))
                    : release(held, ReleaseReason.SERVICE_CHANGED, events);
        }
        boolean unselected = Placement.noLongerSelected(view, service, held);
        Request request;
        try {
            request = Request.of(service);
        } catch (Refusal refusal) {
            // The request cannot be read: what is held stays, unless its pool no longer selects the
            // Service or it can no longer be shared under the Service's current key, ports and
            // backends (MetalLB checks the held IPs against those before it reads the request).
            boolean unshareable = !unselected && Placement.sharingBroken(state, service, held);
            Decision refused = refuse(service, refusal, unselected || unshareable ? held : List.of(),
                    unselected ? ReleaseReason.NO_LONGER_SELECTED : ReleaseReason.SHARING_CONFLICT,
                    ServiceAnnotations.deprecationWarnings(service.annotations()), events);
            if (unselected || unshareable) {
                return refused;
            }
            // kept: its facts (key, ports, backends) are recorded as they are now, as MetalLB re-assigns them
            List<Event> out = new ArrayList<>();
            for (IpAssigned holding : sortedByIp(held)) {
                IpAssigned current = holding(service, ServiceAnnotations.sharingKeyOf(service.annotations()),
                        Request.portsOf(service), holding.getIp(), holding.getPool());
                if (!current.equals(holding)) {
                    out.add(events.assigned(current));
                }
            }
            out.addAll(refused.events());
            return new Decision(out, refused.outcome());
        }
        Placement.Finder finder = new Placement.Finder(view, state, service, request, held);
        String notAdopted = finder.adoptionConflict();
        List<String> warnings = notAdopted == null ? request.warnings() : with(request.warnings(),
                ADOPTION_REFUSED + service.statusIps() + " of its status not kept: " + notAdopted);
        try {
            Placement placement = finder.find();
            return record(placement, held, service, request, warnings,
                    placement.adopted() ? events.because(ADOPTED_FROM_STATUS) : events, unselected);
        } catch (Refusal refusal) {
            // What is held no longer fits the request (or it would have been kept): as MetalLB, the
            // Service gives it up, so a refused change never leaves an IP shared against the rules.
            return refuse(service, refusal, held, unselected ? ReleaseReason.NO_LONGER_SELECTED : ReleaseReason.SERVICE_CHANGED,
                    warnings, events);
        }
    }

    /**
     * Whether a refusal is of IPs requested in a way that cannot be read (both the annotation and
     * spec.loadBalancerIP, an IP that does not parse, two of one family): MetalLB's "invalid requested
     * loadbalancer IPs".
     */
    public static boolean refusesRequestedIps(String reason, String message) {
        return reason.equals(Request.CONFLICTING_REQUEST) || reason.equals(Request.INVALID_LOAD_BALANCER_IP)
                || reason.equals(ServiceAnnotations.INVALID_ANNOTATION)
                && (message.startsWith("annotation " + ServiceAnnotations.PREFIX + ServiceAnnotations.LOAD_BALANCER_IPS + " ")
                || message.startsWith("annotation " + ServiceAnnotations.DEPRECATED_PREFIX + ServiceAnnotations.LOAD_BALANCER_IPS + " "));
    }

    private static Decision refuse(ServiceRequest service, Refusal refusal, List<IpAssigned> released, ReleaseReason reason,
                                   List<String> warnings, EventFactory events) {
        List<Event> out = new ArrayList<>(release(released, reason, events).events());
        out.add(events.refused(service.ref(), refusal.reason(), refusal.getMessage()));
        return new Decision(out, new Outcome.Refused(refusal.reason(), refusal.getMessage(), warnings));
    }

    /** A Service was deleted: it releases what it holds, unless it is reserved while restoring. */
    public synchronized Decision serviceDeleted(LedgerState state, ServiceKey service, Cause cause, Instant now) {
        if (state.isReserved(service)) {
            return new Decision(List.of(), new Outcome.Unchanged(
                    state.assignmentsOf(service).stream().map(IpAssigned::getIp).toList(),
                    state.assignmentsOf(service).stream().map(IpAssigned::getPool).findFirst().orElse(""),
                    List.of("reserved while restoring")));
        }
        return release(List.copyOf(state.assignmentsOf(service)), ReleaseReason.SERVICE_DELETED,
                new EventFactory(actor, cause, now));
    }

    // ---- restore mode (see RestoreStarted in events.proto)

    /** Restore mode begins: every Service holding IPs now keeps them until it reappears or is released. */
    public synchronized Decision restoreStarted(LedgerState state, Cause cause, Instant now) {
        if (state.restoring()) {
            throw new IllegalStateException("restore mode is on already; " + state.reserved().size()
                    + " Services are still missing");
        }
        Event started = new EventFactory(actor, cause, now).restoreStarted(state.servicesWithAssignments().size());
        return new Decision(List.of(started), new Outcome.RestoreChanged(true, state.servicesWithAssignments().size(), List.of()));
    }

    /** The operator gives up waiting for a reserved Service: its IPs are released. */
    public synchronized Decision reservationReleased(LedgerState state, ServiceKey service, Cause cause, Instant now) {
        if (!state.restoring()) {
            throw new IllegalStateException("restore mode is off: there is no reservation to release");
        }
        if (!state.isReserved(service)) {
            throw new IllegalArgumentException(service + " is not reserved: " + (state.assignmentsOf(service).isEmpty()
                    ? "the ledger holds no IP for it" : "it has reappeared and holds its IPs as any Service"));
        }
        EventFactory events = new EventFactory(actor, cause, now);
        List<IpAssigned> held = sortedByIp(state.assignmentsOf(service));
        List<Event> out = new ArrayList<>();
        out.add(events.reservationReleased(held.get(0).getService(), held.stream().map(IpAssigned::getIp).toList()));
        Decision released = release(held, ReleaseReason.SERVICE_DELETED, events);
        out.addAll(released.events());
        return new Decision(out, new Outcome.RestoreChanged(true, state.reserved().size() - 1,
                ((Outcome.Released) released.outcome()).ips()));
    }

    /**
     * Restore mode ends. Reserved Services that are not {@code present} in the API are gone: their
     * IPs are released. Those present but not decided yet keep what they hold, as any Service.
     */
    public synchronized Decision restoreEnded(LedgerState state, Set<ServiceKey> present, Cause cause, Instant now) {
        if (!state.restoring()) {
            throw new IllegalStateException("restore mode is off");
        }
        EventFactory events = new EventFactory(actor, cause, now);
        List<Event> out = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        int gone = 0;
        for (ServiceKey service : state.reserved()) {
            if (!present.contains(service)) {
                gone++;
                Decision released = release(List.copyOf(state.assignmentsOf(service)), ReleaseReason.SERVICE_DELETED, events);
                out.addAll(released.events());
                ips.addAll(((Outcome.Released) released.outcome()).ips());
            }
        }
        out.add(events.restoreEnded(gone));
        return new Decision(out, new Outcome.RestoreChanged(false, 0, ips));
    }

    /**
     * A Service that waited for an IP stops waiting without one ({@code reason}: ServiceDeleted or
     * NoLongerServed), so that readers of the ledger no longer count it among the waiting.
     */
    public Decision waitEnded(ServiceKey service, String reason, Cause cause, Instant now) {
        ServiceRef ref = ServiceRef.newBuilder().setNamespace(service.namespace()).setName(service.name()).build();
        return new Decision(List.of(new EventFactory(actor, cause, now).waitEnded(ref, reason)),
                new Outcome.NotOurs(reason));
    }

    /**
     * A pool was defined or changed. Refused (no events) when it is malformed or overlaps another
     * pool; otherwise the definition is recorded and the IPs that left it (or that avoidBuggyIPs now
     * excludes) are released with reason POOL_CHANGED. Run the Service step again for the
     * {@link Outcome.PoolUpdated#displaced()} Services.
     */
    public synchronized Decision poolDefined(LedgerState state, PoolDefined pool, Cause cause, Instant now) {
        AllocationIndex view = index.of(state);
        PoolSpec spec;
        try {
            spec = PoolSpec.of(pool);
        } catch (InvalidAddressException e) {
            return new Decision(List.of(), new Outcome.Refused("InvalidPool", e.getMessage(), List.of()));
        }
        for (PoolSpec other : view.pools().values()) {
            String overlap = other.name().equals(spec.name()) ? null : spec.overlapWith(other);
            if (overlap != null) {
                return new Decision(List.of(), new Outcome.Refused("OverlappingPool", overlap, List.of()));
            }
        }
        if (pool.equals(state.pools().get(pool.getName()))) {
            return new Decision(List.of(), new Outcome.PoolUpdated(pool.getName(), List.of()));
        }
        EventFactory events = new EventFactory(actor, cause, now);
        List<Event> out = new ArrayList<>();
        out.add(events.poolDefined(pool));
        Set<ServiceKey> displaced = new TreeSet<>();
        for (IpAssigned holding : view.holdingsIn(null, pool.getName())) {
            IpAddress ip = AllocationIndex.parseOrNull(holding.getIp());
            if (ip == null || !spec.usable(ip)) {
                out.add(events.released(holding, ReleaseReason.POOL_CHANGED));
                displaced.add(ServiceKey.of(holding.getService()));
            }
        }
        return new Decision(out, new Outcome.PoolUpdated(pool.getName(), List.copyOf(displaced)));
    }

    /**
     * A pool was removed: its IPs are released (POOL_REMOVED), then the pool — unless it holds IPs
     * reserved for missing Services while restoring, when nothing changes.
     */
    public synchronized Decision poolRemoved(LedgerState state, String pool, Cause cause, Instant now) {
        AllocationIndex view = index.of(state);
        if (!state.pools().containsKey(pool)) {
            return new Decision(List.of(), new Outcome.PoolUpdated(pool, List.of()));
        }
        long reserved = view.holdingsIn(view.pool(pool), pool).stream()
                .filter(h -> state.isReserved(ServiceKey.of(h.getService()))).count();
        if (reserved > 0) {
            // a cluster being restored may apply its pools after its Services: the reservations stand
            return new Decision(List.of(), new Outcome.Refused("ReservedWhileRestoring", "pool " + pool + " holds "
                    + reserved + " IPs reserved for Services that have not reappeared (restore mode); it is removed "
                    + "once they reappear, are released, or restore mode ends", List.of()));
        }
        EventFactory events = new EventFactory(actor, cause, now);
        List<Event> out = new ArrayList<>();
        Set<ServiceKey> displaced = new TreeSet<>();
        for (IpAssigned holding : view.holdingsIn(view.pool(pool), pool)) {
            out.add(events.released(holding, ReleaseReason.POOL_REMOVED));
            displaced.add(ServiceKey.of(holding.getService()));
        }
        out.add(events.poolRemoved(pool));
        return new Decision(out, new Outcome.PoolUpdated(pool, List.copyOf(displaced)));
    }

    /** Assigned and available counts for an IPAddressPool's status (all zero for an unknown pool). */
    public synchronized PoolUsage usage(LedgerState state, String pool) {
        return index.of(state).usage(pool);
    }

    /** Keeps the allocator's cache in step with the follower's fold (called after each apply). */
    @Override
    public synchronized void applied(LedgerEntry entry, LedgerState state) {
        index.applied(entry, state);
    }

    private String whyNotOurs(ServiceRequest service) {
        if (!service.loadBalancer()) {
            return "not a Service of type LoadBalancer";
        }
        if (!Objects.equals(service.loadBalancerClass(), loadBalancerClass)) {
            return "loadBalancerClass " + service.loadBalancerClass() + " is not served here ("
                    + (loadBalancerClass == null ? "Services without a class" : loadBalancerClass) + ")";
        }
        return null;
    }

    private static Decision release(List<IpAssigned> held, ReleaseReason reason, EventFactory events) {
        List<Event> out = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        for (IpAssigned holding : sortedByIp(held)) {
            out.add(events.released(holding, reason));
            ips.add(holding.getIp());
        }
        return new Decision(out, new Outcome.Released(ips, reason));
    }

    /** The events that take the Service from what it holds to the placement. */
    private static Decision record(Placement placement, List<IpAssigned> held, ServiceRequest service,
                                   Request request, List<String> warnings, EventFactory events, boolean unselected) {
        List<Event> out = new ArrayList<>(2);
        List<String> ips = new ArrayList<>(placement.ips().size());
        for (IpAddress ip : placement.ips()) {
            ips.add(ip.toString());
        }
        for (IpAssigned holding : sortedByIp(held)) {
            if (!ips.contains(holding.getIp())) {
                IpAddress ip = AllocationIndex.parseOrNull(holding.getIp());
                boolean familyKept = ip != null && placement.ips().stream().anyMatch(p -> p.family() == ip.family());
                out.add(events.released(holding, unselected ? ReleaseReason.NO_LONGER_SELECTED
                        : familyKept ? ReleaseReason.SERVICE_CHANGED : ReleaseReason.FAMILY_CHANGED));
            }
        }
        for (String ip : ips) {
            IpAssigned assigned = holding(service, request, ip, placement.pool().name());
            if (!held.contains(assigned)) {
                out.add(events.assigned(assigned));
            }
        }
        Outcome outcome = out.isEmpty()
                ? new Outcome.Unchanged(ips, placement.pool().name(), warnings)
                : new Outcome.Allocated(ips, placement.pool().name(), warnings);
        return new Decision(out, outcome);
    }

    static IpAssigned holding(ServiceRequest service, Request request, String ip, String pool) {
        return holding(service, request.sharingKey(), request.ports(), ip, pool);
    }

    static IpAssigned holding(ServiceRequest service, String sharingKey, List<Port> ports, String ip, String pool) {
        IpAssigned.Builder assigned = IpAssigned.newBuilder()
                .setService(service.ref())
                .setIp(ip)
                .setPool(pool)
                .setSharingKey(sharingKey)
                .setBackendKey(service.backendKey())
                .setTrafficPolicyLocal(service.trafficPolicyLocal());
        for (Port port : ports) {
            assigned.addPorts(port.toProto());
        }
        return assigned.build();
    }

    private static List<String> with(List<String> list, String more) {
        List<String> all = new ArrayList<>(list);
        all.add(more);
        return List.copyOf(all);
    }

    private static List<IpAssigned> sortedByIp(Collection<IpAssigned> holdings) {
        if (holdings.size() < 2) {
            return List.copyOf(holdings);
        }
        List<IpAssigned> sorted = new ArrayList<>(holdings);
        sorted.sort((a, b) -> {
            IpAddress x = AllocationIndex.parseOrNull(a.getIp());
            IpAddress y = AllocationIndex.parseOrNull(b.getIp());
            return x == null || y == null ? a.getIp().compareTo(b.getIp()) : x.compareTo(y);
        });
        return sorted;
    }
}
