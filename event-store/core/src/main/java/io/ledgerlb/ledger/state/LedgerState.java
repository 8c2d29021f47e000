package io.ledgerlb.ledger.state;

import com.google.protobuf.ByteString;
import io.ledgerlb.events.v1.AllocationRefused;
import io.ledgerlb.events.v1.BfdProfileDefined;
import io.ledgerlb.events.v1.BgpAdvertisementDefined;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.events.v1.CommunityDefined;
import io.ledgerlb.events.v1.ConfigKind;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.IpReleased;
import io.ledgerlb.events.v1.L2AdvertisementDefined;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.events.v1.ReservationClaimed;
import io.ledgerlb.events.v1.RestoreStarted;
import io.ledgerlb.events.v1.ServiceRef;
import io.ledgerlb.events.v1.StateSnapshot;
import io.ledgerlb.ledger.event.HashChain;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the allocator and the speakers know: configuration and assignments. Folding events with
 * {@link #apply} is the only way it changes — for live events, for snapshots (which are events
 * too) and for recovery alike. Readers get unmodifiable views.
 */
public final class LedgerState {
    public static final int SNAPSHOT_FORMAT_VERSION = 1;
    /** How many released IPs are remembered per Service, to give them back on re-creation. */
    static final int PREVIOUS_IPS_KEPT = 2;

    private static final Logger log = LoggerFactory.getLogger(LedgerState.class);

    private final SortedMap<String, PoolDefined> pools = new TreeMap<>();
    private final SortedMap<String, L2AdvertisementDefined> l2Advertisements = new TreeMap<>();
    private final SortedMap<String, BgpAdvertisementDefined> bgpAdvertisements = new TreeMap<>();
    private final SortedMap<String, BgpPeerDefined> bgpPeers = new TreeMap<>();
    private final SortedMap<String, CommunityDefined> communities = new TreeMap<>();
    private final SortedMap<String, BfdProfileDefined> bfdProfiles = new TreeMap<>();
    /** By IP, its holders: an {@link IpAssigned}, or for a shared IP a map by Service (see {@link #with}). */
    private final Map<String, Object> byIp = new HashMap<>();
    /** By Service, its assignments: an {@link IpAssigned}, or for a dual-stack Service a map by IP. */
    private final Map<ServiceKey, Object> byService = new HashMap<>();
    private final Map<ServiceKey, List<String>> previousIps = new HashMap<>();
    /** Services refused an IP and given none since: the sequence of the first refusal since they last held one. */
    private final Map<ServiceKey, Long> waiting = new HashMap<>();
    /** Restore mode: on from RestoreStarted to RestoreEnded. */
    private boolean restoring;
    /** While restoring: the Services whose IPs are kept for them until they reappear or are released. */
    private final SortedSet<ServiceKey> reserved = new TreeSet<>();
    /** The sequence of the RestoreEnded after the last RestoreStarted; 0 while none ended one. */
    private long restoreEndedAt;
    private long sequence;
    private byte[] lastHash = HashChain.GENESIS;
    private long unknownSkipped;
    /** Pool and namespace names, one String each (few: bounded by the cluster's configuration). */
    private final Map<String, String> sharedNames = new HashMap<>();

    /** Folds the next entry of the log. It must continue the chain: next sequence, linked hash. */
    public void apply(LedgerEntry entry) {
        if (entry.sequence() != sequence + 1) {
            throw new LedgerSequenceException(
                    "state is at sequence " + sequence + ", cannot apply sequence " + entry.sequence());
        }
        if (!entry.linksTo(lastHash)) {
            throw new LedgerSequenceException(
                    "sequence " + entry.sequence() + " does not link to the hash of sequence " + sequence);
        }
        applyBody(entry.event());
        sequence = entry.sequence();
        lastHash = entry.hash();
    }

    private void applyBody(Event event) {
        switch (event.getBodyCase()) {
            case POOL_DEFINED -> pools.put(event.getPoolDefined().getName(), event.getPoolDefined());
            case L2_ADVERTISEMENT_DEFINED -> l2Advertisements.put(
                    event.getL2AdvertisementDefined().getName(), event.getL2AdvertisementDefined());
            case BGP_ADVERTISEMENT_DEFINED -> bgpAdvertisements.put(
                    event.getBgpAdvertisementDefined().getName(), event.getBgpAdvertisementDefined());
            case BGP_PEER_DEFINED -> bgpPeers.put(event.getBgpPeerDefined().getName(), event.getBgpPeerDefined());
            case COMMUNITY_DEFINED -> communities.put(
                    event.getCommunityDefined().getName(), event.getCommunityDefined());
            case BFD_PROFILE_DEFINED -> bfdProfiles.put(
                    event.getBfdProfileDefined().getName(), event.getBfdProfileDefined());
            case CONFIG_REMOVED -> configMap(event.getConfigRemoved().getKind())
                    .remove(event.getConfigRemoved().getName());
            case IP_ASSIGNED -> waiting.remove(assign(event.getIpAssigned()));
            case IP_RELEASED -> release(event.getIpReleased());
            case RESTORE_STARTED -> {
                restoring = true;
                restoreEndedAt = 0;
                reserved.addAll(byService.keySet());
            }
            case RESERVATION_CLAIMED -> reserved.remove(ServiceKey.of(event.getReservationClaimed().getService()));
            case RESERVATION_RELEASED -> reserved.remove(ServiceKey.of(event.getReservationReleased().getService()));
            case RESTORE_ENDED -> {
                restoring = false;
                restoreEndedAt = event.getSequence();
                reserved.clear();
            }
            case ALLOCATION_REFUSED -> {
                ServiceKey service = ServiceKey.of(event.getAllocationRefused().getService());
                if (!byService.containsKey(service)) {
                    waiting.putIfAbsent(service, event.getSequence());
                }
            }
            case WAIT_ENDED -> waiting.remove(ServiceKey.of(event.getWaitEnded().getService()));
            case SNAPSHOT_TAKEN, SIGNING_KEY_ROTATED, LEDGER_ADOPTED -> { } // for the audit trail (keys: SignedChain)
            case BODY_NOT_SET -> {
                unknownSkipped++;
                log.warn("skipping event {} of a type this version does not know (written by a newer ledgerlb)",
                        event.getSequence());
            }
        }
    }

    private Map<String, ?> configMap(ConfigKind kind) {
        return switch (kind) {
            case POOL -> pools;
            case L2_ADVERTISEMENT -> l2Advertisements;
            case BGP_ADVERTISEMENT -> bgpAdvertisements;
            case BGP_PEER -> bgpPeers;
            case COMMUNITY -> communities;
            case BFD_PROFILE -> bfdProfiles;
            case CONFIG_KIND_UNSPECIFIED, UNRECOGNIZED -> {
                log.warn("skipping removal of a configuration kind this version does not know: {}", kind);
                yield new HashMap<>();
            }
        };
    }

    /** Returns the Service it assigned to. */
    private ServiceKey assign(IpAssigned decoded) {
        IpAssigned assigned = withSharedNames(decoded);
        ServiceKey service = ServiceKey.of(assigned.getService());
        String ip = assigned.getIp();
        // most IPs and Services have one assignment: one lookup each then
        Object holders = byIp.putIfAbsent(ip, assigned);
        if (holders != null) {
            byIp.put(ip, with(holders, service, assigned, LedgerState::serviceOf));
        }
        Object ips = byService.putIfAbsent(service, assigned);
        if (ips != null) {
            byService.put(service, with(ips, ip, assigned, IpAssigned::getIp));
        }
        List<String> previous = previousIps.get(service);
        if (previous != null && previous.remove(ip) && previous.isEmpty()) {
            previousIps.remove(service);
        }
        return service;
    }

    private void release(IpReleased released) {
        ServiceKey service = ServiceKey.of(released.getService());
        String ip = released.getIp();
        Object holders = byIp.remove(ip); // most IPs have one holder: one lookup then
        if (holders != null) {
            putUnlessNull(byIp, ip, without(holders, service, LedgerState::serviceOf));
        }
        Object ips = byService.remove(service);
        if (ips == null || putUnlessNull(byService, service, without(ips, ip, IpAssigned::getIp)) == null) {
            reserved.remove(service); // nothing left to keep for it (e.g. its pool was removed)
        }
        List<String> previous = previousIps.computeIfAbsent(service, s -> new ArrayList<>(PREVIOUS_IPS_KEPT));
        previous.remove(ip);
        previous.add(0, ip);
        if (previous.size() > PREVIOUS_IPS_KEPT) {
            previous.remove(previous.size() - 1);
        }
    }

    /**
     * The assignment as kept: its pool and namespace the same String as every other assignment's
     * (decoding gives each assignment its own copies: ~100 bytes a Service, 5 MB at 50,000).
     */
    private IpAssigned withSharedNames(IpAssigned a) {
        ServiceRef ref = a.getService();
        String pool = sharedName(a.getPool());
        String namespace = sharedName(ref.getNamespace());
        if (pool == a.getPool() && namespace == ref.getNamespace()) {
            return a;
        }
        return a.toBuilder().setPool(pool).setService(ref.toBuilder().setNamespace(namespace)).build();
    }

    private String sharedName(String name) {
        String known = sharedNames.putIfAbsent(name, name);
        return known == null ? name : known;
    }

    // The values of byIp and byService are one IpAssigned but for shared IPs and dual-stack
    // Services, which get a map (keyed by Service, by IP). An IpAssigned is kept as itself: a map
    // of one entry per IP and Service cost ~100 bytes a Service (5 MB at 50,000). The maps are
    // replaced, never changed, so that copies of the state share them.

    /** Puts {@code value} unless it is null (nothing left under {@code key}); returns it. */
    private static <K> Object putUnlessNull(Map<K, Object> map, K key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
        return value;
    }

    private static ServiceKey serviceOf(IpAssigned assigned) {
        return ServiceKey.of(assigned.getService());
    }

    private static <K> Object with(Object old, K key, IpAssigned value, Function<IpAssigned, K> keyOf) {
        if (old == null || old instanceof IpAssigned one && keyOf.apply(one).equals(key)) {
            return value;
        }
        Map<K, IpAssigned> copy = new LinkedHashMap<>(entries(old, keyOf));
        copy.put(key, value);
        return copy;
    }

    /** Null (no entry left) removes the key from the outer map. */
    private static <K> Object without(Object old, K key, Function<IpAssigned, K> keyOf) {
        if (old instanceof IpAssigned one) {
            return keyOf.apply(one).equals(key) ? null : old;
        }
        Map<K, IpAssigned> entries = entries(old, keyOf);
        if (!entries.containsKey(key)) {
            return old;
        }
        Map<K, IpAssigned> copy = new LinkedHashMap<>(entries);
        copy.remove(key);
        return copy.isEmpty() ? null : copy.size() == 1 ? copy.values().iterator().next() : copy;
    }

    @SuppressWarnings("unchecked")
    private static <K> Map<K, IpAssigned> entries(Object value, Function<IpAssigned, K> keyOf) {
        return value instanceof IpAssigned one ? Map.of(keyOf.apply(one), one) : (Map<K, IpAssigned>) value;
    }

    @SuppressWarnings("unchecked")
    private static Collection<IpAssigned> values(Object value) {
        if (value == null) {
            return List.of();
        }
        return value instanceof IpAssigned one ? List.of(one)
                : Collections.unmodifiableCollection(((Map<?, IpAssigned>) value).values());
    }

    // ---- reading

    public long sequence() {
        return sequence;
    }

    public byte[] lastHash() {
        return lastHash.clone();
    }

    /** Events of types this version does not know, skipped while folding. */
    public long unknownSkipped() {
        return unknownSkipped;
    }

    public SortedMap<String, PoolDefined> pools() {
        return Collections.unmodifiableSortedMap(pools);
    }

    public SortedMap<String, L2AdvertisementDefined> l2Advertisements() {
        return Collections.unmodifiableSortedMap(l2Advertisements);
    }

    public SortedMap<String, BgpAdvertisementDefined> bgpAdvertisements() {
        return Collections.unmodifiableSortedMap(bgpAdvertisements);
    }

    public SortedMap<String, BgpPeerDefined> bgpPeers() {
        return Collections.unmodifiableSortedMap(bgpPeers);
    }

    public SortedMap<String, CommunityDefined> communities() {
        return Collections.unmodifiableSortedMap(communities);
    }

    public SortedMap<String, BfdProfileDefined> bfdProfiles() {
        return Collections.unmodifiableSortedMap(bfdProfiles);
    }

    /** The Services holding an IP (more than one only when they share it). */
    public Collection<IpAssigned> holders(String ip) {
        return values(byIp.get(ip));
    }

    /** The IPs held by at least one Service. */
    public Set<String> assignedIps() {
        return Collections.unmodifiableSet(byIp.keySet());
    }

    public boolean isAssigned(String ip) {
        return byIp.containsKey(ip);
    }

    /** The IPs a Service holds (two for dual-stack). */
    public Collection<IpAssigned> assignmentsOf(ServiceKey service) {
        return values(byService.get(service));
    }

    public Collection<ServiceKey> servicesWithAssignments() {
        return Collections.unmodifiableSet(byService.keySet());
    }

    /** IPs the Service held before, most recent first: offered back when it is created again. */
    public List<String> previousIps(ServiceKey service) {
        return Collections.unmodifiableList(previousIps.getOrDefault(service, List.of()));
    }

    /**
     * The Services waiting for an IP: refused and given none since, nor told their wait ended
     * ({@code WaitEnded}), each with the sequence of its first refusal since it last held an IP.
     */
    public Map<ServiceKey, Long> waiting() {
        return Collections.unmodifiableMap(waiting);
    }

    /** Whether restore mode is on: missing Services keep their IPs until they reappear or are released. */
    public boolean restoring() {
        return restoring;
    }

    /**
     * The sequence of the {@code RestoreEnded} that followed the last {@code RestoreStarted}, or 0
     * when restore mode never ended: never started, or on now.
     */
    public long restoreEndedAt() {
        return restoreEndedAt;
    }

    /** While restoring, the Services that hold IPs and have not reappeared yet, by namespace/name. */
    public SortedSet<ServiceKey> reserved() {
        return Collections.unmodifiableSortedSet(reserved);
    }

    public boolean isReserved(ServiceKey service) {
        return reserved.contains(service);
    }

    public int assignedIpCount() {
        return byIp.size();
    }

    public Optional<PoolDefined> pool(String name) {
        return Optional.ofNullable(pools.get(name));
    }

    // ---- snapshots: the state as the events that rebuild it

    public StateSnapshot toSnapshot() {
        StateSnapshot.Builder snapshot = StateSnapshot.newBuilder()
                .setFormatVersion(SNAPSHOT_FORMAT_VERSION)
                .setSequence(sequence)
                .setLastHash(ByteString.copyFrom(lastHash))
                .setRestoreEndedAt(restoreEndedAt);
        pools.values().forEach(v -> snapshot.addRecords(Event.newBuilder().setPoolDefined(v)));
        l2Advertisements.values().forEach(v -> snapshot.addRecords(Event.newBuilder().setL2AdvertisementDefined(v)));
        bgpAdvertisements.values().forEach(v -> snapshot.addRecords(Event.newBuilder().setBgpAdvertisementDefined(v)));
        bgpPeers.values().forEach(v -> snapshot.addRecords(Event.newBuilder().setBgpPeerDefined(v)));
        communities.values().forEach(v -> snapshot.addRecords(Event.newBuilder().setCommunityDefined(v)));
        bfdProfiles.values().forEach(v -> snapshot.addRecords(Event.newBuilder().setBfdProfileDefined(v)));
        // Releases first, oldest first, so that replaying them rebuilds each list in order;
        // they never release anything current because current assignments come after them.
        new TreeMap<>(previousIps).forEach((service, ips) -> {
            for (int i = ips.size() - 1; i >= 0; i--) {
                snapshot.addRecords(Event.newBuilder().setIpReleased(IpReleased.newBuilder()
                        .setService(ServiceRef.newBuilder()
                                .setNamespace(service.namespace()).setName(service.name()))
                        .setIp(ips.get(i))));
            }
        });
        byIp.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .flatMap(e -> entries(e.getValue(), LedgerState::serviceOf).entrySet().stream().sorted(Map.Entry.comparingByKey()))
                .forEach(e -> snapshot.addRecords(Event.newBuilder().setIpAssigned(e.getValue())));
        // the waiting Services, each as its first refusal (sequence included), oldest first
        waiting.entrySet().stream().sorted(Map.Entry.<ServiceKey, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> snapshot.addRecords(Event.newBuilder().setSequence(e.getValue())
                        .setAllocationRefused(AllocationRefused.newBuilder().setService(ServiceRef.newBuilder()
                                .setNamespace(e.getKey().namespace()).setName(e.getKey().name())))));
        if (restoring) {
            // reserves every holder, then gives back those that had reappeared, as the live log did
            snapshot.addRecords(Event.newBuilder().setRestoreStarted(RestoreStarted.getDefaultInstance()));
            new TreeSet<>(byService.keySet()).stream().filter(service -> !reserved.contains(service))
                    .forEach(service -> snapshot.addRecords(Event.newBuilder().setReservationClaimed(
                            ReservationClaimed.newBuilder().setService(ServiceRef.newBuilder()
                                    .setNamespace(service.namespace()).setName(service.name())))));
        }
        return snapshot.build();
    }

    /** Rebuilds a state by folding a snapshot's records; refuses snapshots of a newer format. */
    public static LedgerState fromSnapshot(StateSnapshot snapshot) throws LedgerFormatException {
        if (snapshot.getFormatVersion() > SNAPSHOT_FORMAT_VERSION) {
            throw new LedgerFormatException(snapshot.getSequence(), "snapshot format "
                    + snapshot.getFormatVersion() + " is newer than this version's " + SNAPSHOT_FORMAT_VERSION);
        }
        if (snapshot.getFormatVersion() < 1 || snapshot.getLastHash().size() != HashChain.HASH_LENGTH) {
            throw new LedgerFormatException(snapshot.getSequence(), "not a ledger snapshot");
        }
        LedgerState state = new LedgerState();
        for (Event record : snapshot.getRecordsList()) {
            state.applyBody(record);
        }
        state.sequence = snapshot.getSequence();
        state.lastHash = snapshot.getLastHash().toByteArray();
        state.restoreEndedAt = snapshot.getRestoreEndedAt();
        return state;
    }

    /**
     * An independent copy. Cheap: the values of byIp and byService (assignments, maps of them) are
     * never changed in place (see {@link #with}), so the copy shares them; only the remembered
     * previous IPs, which are lists changed in place, are copied.
     */
    public LedgerState copy() {
        LedgerState copy = new LedgerState();
        copy.pools.putAll(pools);
        copy.l2Advertisements.putAll(l2Advertisements);
        copy.bgpAdvertisements.putAll(bgpAdvertisements);
        copy.bgpPeers.putAll(bgpPeers);
        copy.communities.putAll(communities);
        copy.bfdProfiles.putAll(bfdProfiles);
        copy.byIp.putAll(byIp);
        copy.byService.putAll(byService);
        previousIps.forEach((service, ips) -> copy.previousIps.put(service, new ArrayList<>(ips)));
        copy.waiting.putAll(waiting);
        copy.sequence = sequence;
        copy.lastHash = lastHash;
        copy.unknownSkipped = unknownSkipped;
        copy.restoring = restoring;
        copy.restoreEndedAt = restoreEndedAt;
        copy.reserved.addAll(reserved);
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LedgerState other
                && sequence == other.sequence
                && Arrays.equals(lastHash, other.lastHash)
                && pools.equals(other.pools)
                && l2Advertisements.equals(other.l2Advertisements)
                && bgpAdvertisements.equals(other.bgpAdvertisements)
                && bgpPeers.equals(other.bgpPeers)
                && communities.equals(other.communities)
                && bfdProfiles.equals(other.bfdProfiles)
                && byIp.equals(other.byIp)
                && previousIps.equals(other.previousIps)
                && waiting.equals(other.waiting)
                && restoring == other.restoring
                && restoreEndedAt == other.restoreEndedAt
                && reserved.equals(other.reserved);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sequence, pools.keySet(), byIp.size());
    }

    @Override
    public String toString() {
        return "LedgerState[sequence=" + sequence + ", pools=" + pools.size() + ", assignedIps=" + byIp.size() + "]";
    }

}
