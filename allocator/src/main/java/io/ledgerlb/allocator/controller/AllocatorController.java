package io.ledgerlb.allocator.controller;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.ledgerlb.allocator.controller.AllocationStep.Decision;
import io.ledgerlb.allocator.k8s.adapter.ConfigStatusWriter;
import io.ledgerlb.allocator.k8s.adapter.ConfigurationStateWriter;
import io.ledgerlb.allocator.k8s.adapter.MetalLbKinds;
import io.ledgerlb.allocator.k8s.adapter.ServiceWriteBack;
import io.ledgerlb.allocator.metrics.PoolCounts;
import io.ledgerlb.events.v1.Cause;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.ledger.Ledger;
import io.ledgerlb.ledger.LedgerFencedException;
import io.ledgerlb.ledger.LedgerTransaction;
import io.ledgerlb.ledger.LedgerWriteException;
import io.ledgerlb.ledger.LedgerWriter;
import io.ledgerlb.ledger.SnapshotInfo;
import io.ledgerlb.ledger.TakenSnapshot;
import io.ledgerlb.ledger.kafka.KafkaLedgerWriter;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.allocator.core.Allocator;
import io.ledgerlb.allocator.core.WaitingServices;
import io.ledgerlb.kube.EventRecorder;
import io.ledgerlb.kube.EventRecorder.Note;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The allocator's control loop. Informers watch Services, Namespaces and the MetalLB resources
 * (always, so that a standby has a warm cache); while this instance leads, every change goes
 * through the pure {@link AllocationStep}. The worker takes what is waiting (up to
 * {@value #MAX_BATCH} changes) as one ledger transaction: each step's events are sealed and
 * folded into the state — the only way it changes — before the next step decides, and only once
 * the transaction committed do the Services and resources get their status, annotation and
 * events. One transaction per batch instead of per decision is what makes bursts fast: a Kafka
 * commit costs tens of milliseconds however many events it holds.
 *
 * <p>One worker thread runs the steps and owns the working state, which holds staged entries
 * while a transaction is open. Readers ({@link #withState}: the admin API, metrics, status
 * write-back, /readyz) see a second state that only committed entries are folded into, so nothing
 * staged is ever shown. A Service refused for want of an IP waits ({@link WaitingServices}); a
 * decision that frees capacity re-decides the waiting Services, oldest refusal first, in the same
 * transaction. A reconciliation that throws is retried with exponential backoff, and a periodic
 * resync re-checks every Service and resource against the ledger.
 */
public final class AllocatorController implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AllocatorController.class);
    /** Reconciliations decided and committed in one ledger transaction, at most. */
    private static final int MAX_BATCH = 1_000;
    /**
     * @param instance          this allocator's name: the actor of its events and its leader identity
     * @param loadBalancerClass the class this allocator serves; null: Services without a class
     * @param writeBackThreads  parallel status writers
     * @param snapshotEvery     take a snapshot after this many entries (0: only on request)
     */
    public record Settings(String instance, String loadBalancerClass, int writeBackThreads, long snapshotEvery,
                           Duration resyncEvery) {
        public static final Duration DEFAULT_RESYNC = Duration.ofMinutes(5);

        public Settings(String instance, String loadBalancerClass, int writeBackThreads, long snapshotEvery) {
            this(instance, loadBalancerClass, writeBackThreads, snapshotEvery, DEFAULT_RESYNC);
        }
    }

    /** The first retry of a failed reconciliation waits this long; each further one twice as long, up to {@link #MAX_BACKOFF}. */
    static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    /** What the worker reconciles. */
    sealed interface Work {
        record ServiceWork(ServiceKey key) implements Work {}

        record ConfigWork(MetalLbKinds kind, String namespace, String name) implements Work {}

        record SnapshotWork(CompletableFuture<SnapshotInfo> done) implements Work {}

        record RestoreWork(RestoreCommand command, CompletableFuture<RestoreStatus> done) implements Work {}
    }

    private final KubernetesClient client;
    private final Ledger ledger;
    private final AllocationStep step;
    private final Settings settings;
    private final ServiceWriteBack writeBack;
    private final ConfigStatusWriter configStatus;
    private volatile ConfigurationStateWriter configurationState;
    private final EventRecorder recorder;
    private final WorkQueue<Work> queue = new WorkQueue<>();
    private final ReadWriteLock stateLock = new ReentrantReadWriteLock();
    private final AtomicLong decisions = new AtomicLong();
    private final AtomicLong failedReconciles = new AtomicLong();
    private final Map<Work, Integer> failures = new ConcurrentHashMap<>();
    private final WaitingServices waiting = new WaitingServices();
    /** Counts pools for readers, following the committed state (the step's own cache follows the working one). */
    private final CoreAllocationStep counting = CoreAllocationStep.forCounting();
    private ScheduledExecutorService timers;

    private SharedIndexInformer<Service> services;
    private SharedIndexInformer<Namespace> namespaces;
    private final Map<MetalLbKinds, SharedIndexInformer<GenericKubernetesResource>> configs =
            new EnumMap<>(MetalLbKinds.class);

    private LedgerState state; // the worker's, with staged entries; null while not leading
    private LedgerState committed; // guarded by stateLock; what readers see; null while not leading
    private volatile LedgerWriter writer;
    private volatile boolean leading;
    private volatile Runnable onFenced = () -> {};
    /** Why this instance must not lead: the ledger's chain is broken (null while it is not). */
    private volatile String chainBroken;
    private long lastSnapshot;
    private Thread worker;

    public AllocatorController(KubernetesClient client, Ledger ledger, AllocationStep step,
            Settings settings) {
        this.client = client;
        this.ledger = ledger;
        this.step = step;
        this.settings = settings;
        this.recorder = new EventRecorder(client, ServiceWriteBack.COMPONENT, settings.instance(), null);
        this.writeBack = new ServiceWriteBack(client, this::cachedService, this::assignmentsOf, recorder,
                settings.writeBackThreads());
        this.configStatus = new ConfigStatusWriter(client);
    }

    /** A controller running the core allocation step, which reads MetalLB resources from this controller's informers. */
    public static AllocatorController withCoreStep(KubernetesClient client, Ledger ledger, Settings settings) {
        AllocatorController[] self = {null};
        CoreAllocationStep step = new CoreAllocationStep(settings.instance(), settings.loadBalancerClass(),
                kind -> self[0].configs(kind));
        self[0] = new AllocatorController(client, ledger, step, settings);
        return self[0];
    }

    /** Report the configuration's validity in ConfigurationState {@code controller} in this namespace, as MetalLB does. */
    public void reportConfigurationStateIn(String namespace) {
        ConfigurationStateWriter before = configurationState;
        configurationState = new ConfigurationStateWriter(client, namespace);
        if (before != null) {
            before.close();
        }
    }

    public AllocationStep step() {
        return step;
    }

    // ---- informers

    /** Starts the informers (in any namespace) and waits until their caches are filled. */
    public void startInformers() {
        services = client.services().inAnyNamespace().inform(handler(this::serviceChanged), 0);
        namespaces = client.namespaces().inform(handler(ns -> {
            if (leading) {
                services.getStore().list().stream()
                        .filter(s -> ns.getMetadata().getName().equals(s.getMetadata().getNamespace()))
                        .forEach(s -> queue.add(new Work.ServiceWork(key(s))));
            }
        }), 0);
        for (MetalLbKinds kind : MetalLbKinds.values()) {
            configs.put(kind, client.genericKubernetesResources(kind.context()).inAnyNamespace()
                    .inform(handler(r -> {
                        if (leading) {
                            queue.add(new Work.ConfigWork(kind, r.getMetadata().getNamespace(), r.getMetadata().getName()));
                        }
                    }), 0));
        }
    }

    /** The MetalLB resources of a kind as the informer holds them. */
    public List<GenericKubernetesResource> configs(MetalLbKinds kind) {
        SharedIndexInformer<GenericKubernetesResource> informer = configs.get(kind);
        return informer == null ? List.of() : informer.getStore().list();
    }

    public boolean informersSynced() {
        return services != null && services.hasSynced() && namespaces.hasSynced()
                && configs.values().stream().allMatch(SharedIndexInformer::hasSynced);
    }

    private void serviceChanged(Service service) {
        if (leading) {
            queue.add(new Work.ServiceWork(key(service)));
        }
    }

    private static <T extends HasMetadata> ResourceEventHandler<T> handler(java.util.function.Consumer<T> changed) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                changed.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                changed.accept(newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                changed.accept(obj);
            }
        };
    }

    // ---- leading

    /** Called when fencing deposed this instance: the leader election should step down. */
    public void onFenced(Runnable action) {
        this.onFenced = action;
    }

    /**
     * Becomes the writer: opens the ledger writer (fencing any older one), folds the state up to
     * the last committed entry, and reconciles everything the informers hold.
     */
    public synchronized void startLeading() throws LedgerWriteException, LedgerFormatException {
        if (leading) {
            return;
        }
        LedgerWriter opened;
        LedgerState folded;
        try {
            opened = ledger.openWriter(settings.instance());
        } catch (LedgerWriteException e) {
            if (e.getCause() instanceof LedgerFormatException broken) {
                throw chainBroken(broken);
            }
            throw e;
        }
        long last = opened.lastSequence();
        try {
            folded = last == 0 ? new LedgerState() : ledger.stateAt(last);
            requireOnChain(folded, opened);
        } catch (LedgerFormatException e) {
            opened.close();
            throw chainBroken(e);
        }
        LedgerState forReaders = folded.copy();
        stateLock.writeLock().lock();
        try {
            state = folded;
            committed = forReaders;
        } finally {
            stateLock.writeLock().unlock();
        }
        writer = opened;
        lastSnapshot = last;
        waiting.clear();
        folded.waiting().forEach(waiting::waiting); // as the ledger left them, whoever led then
        lastRefusal.clear();
        failures.clear();
        leading = true;
        log.info("leading from sequence {}", last);
        if (restoreWhenLeading && !folded.restoring()) {
            if (folded.restoreEndedAt() > 0) {
                // the flag asked for the restore the ledger shows ended: starting it again would
                // reserve every IP for Services the operator already released or saw come back
                restoreWhenLeading = false;
                log.warn("--restore: restore mode is not started again, it already ended at sequence {}; running"
                        + " normally (drop the flag; `ledgerlb restore start` begins a new restore)", folded.restoreEndedAt());
            } else {
                startRestoreFirst();
            }
        }
        resync();
        timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "allocator-timers");
            t.setDaemon(true);
            return t;
        });
        long every = settings.resyncEvery().toMillis();
        if (every > 0) {
            timers.scheduleWithFixedDelay(this::resync, every, every, TimeUnit.MILLISECONDS);
        }
        worker = new Thread(this::work, "allocator-worker");
        worker.setDaemon(true);
        worker.start();
    }

    /**
     * The chain folded up to the writer's last sequence must end in the writer's last entry: when
     * it does not, the topic holds two entries with that sequence (a fork) and the writer's tail
     * is not the one the chain leads to.
     */
    private static void requireOnChain(LedgerState folded, LedgerWriter writer) throws LedgerFormatException {
        if (!Arrays.equals(folded.lastHash(), writer.lastHash())) {
            throw new LedgerFormatException(writer.lastSequence(), "the topic's last entry (sequence "
                    + writer.lastSequence() + ") is not the one its chain leads to: two entries hold that sequence (a fork)");
        }
    }

    /**
     * Records that the ledger's chain is broken, so that this instance refuses to lead (and
     * {@code /readyz} says so) instead of retrying: only an operator can mend it.
     */
    private LedgerFormatException chainBroken(LedgerFormatException e) {
        chainBroken = e.getMessage();
        log.error("the ledger's chain is broken, so this allocator refuses to lead: {}. Run `ledgerlb verify` to see "
                + "where, and `ledgerlb recover` to rebuild the log from the SQLite journal.", e.getMessage());
        return e;
    }

    /** Why this instance refuses to lead, when the ledger's chain is broken. */
    public Optional<String> chainBroken() {
        return Optional.ofNullable(chainBroken);
    }

    /** Stops writing; the informers keep running. */
    public synchronized void stopLeading() {
        if (!leading) {
            return;
        }
        leading = false;
        appendFailing = null;
        Thread running = worker;
        if (running != null && running != Thread.currentThread()) {
            running.interrupt();
            try {
                running.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        worker = null;
        if (timers != null) {
            timers.shutdownNow();
            timers = null;
        }
        LedgerWriter w = writer;
        writer = null;
        if (w != null) {
            w.close();
        }
        log.info("stopped leading");
    }

    public boolean leading() {
        return leading;
    }

    /** Set when an append failed and its batch waits for a retry; cleared when a batch commits. */
    private volatile String appendFailing;

    /** Why the last append failed, while its batch waits for a retry ({@link AllocatorHealth}). */
    public Optional<String> appendFailing() {
        return Optional.ofNullable(appendFailing);
    }

    /**
     * Enqueues every MetalLB resource (in dependency order) and every Service: first those that
     * request IPs (annotation or spec.loadBalancerIP), then those whose status already shows IPs
     * (adopted when valid), then the rest — each group oldest first, then by namespace/name — so that
     * within a batch explicit requests are decided before automatic ones.
     */
    public void resync() {
        if (!leading) {
            return;
        }
        for (MetalLbKinds kind : MetalLbKinds.IN_DEPENDENCY_ORDER) {
            configs.get(kind).getStore().list()
                    .forEach(r -> queue.add(new Work.ConfigWork(kind, r.getMetadata().getNamespace(), r.getMetadata().getName())));
        }
        // removed while this instance was not leading
        withState(s -> configKeysOf(s)).forEach(queue::add);
        services.getStore().list().stream().sorted(DecisionOrder.SERVICES)
                .forEach(s -> queue.add(new Work.ServiceWork(key(s))));
        withState(s -> List.copyOf(s.servicesWithAssignments()))
                .forEach(k -> queue.add(new Work.ServiceWork(k)));
        // waiting in the ledger, deleted or no longer served while nobody led: their wait ends (WaitEnded)
        withState(s -> List.copyOf(s.waiting().keySet()))
                .forEach(k -> queue.add(new Work.ServiceWork(k)));
    }

    private List<Work> configKeysOf(LedgerState s) {
        List<Work> keys = new ArrayList<>();
        s.pools().keySet().forEach(n -> keys.add(new Work.ConfigWork(MetalLbKinds.IP_ADDRESS_POOL, null, n)));
        s.l2Advertisements().keySet().forEach(n -> keys.add(new Work.ConfigWork(MetalLbKinds.L2_ADVERTISEMENT, null, n)));
        s.bgpAdvertisements().keySet().forEach(n -> keys.add(new Work.ConfigWork(MetalLbKinds.BGP_ADVERTISEMENT, null, n)));
        s.bgpPeers().keySet().forEach(n -> keys.add(new Work.ConfigWork(MetalLbKinds.BGP_PEER, null, n)));
        s.communities().keySet().forEach(n -> keys.add(new Work.ConfigWork(MetalLbKinds.COMMUNITY, null, n)));
        s.bfdProfiles().keySet().forEach(n -> keys.add(new Work.ConfigWork(MetalLbKinds.BFD_PROFILE, null, n)));
        return keys;
    }

    // ---- the worker

    private void work() {
        while (leading && !Thread.currentThread().isInterrupted()) {
            List<Work> batch;
            try {
                batch = queue.drain(MAX_BATCH, 500, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (batch.isEmpty()) {
                continue;
            }
            try {
                reconcile(batch);
                appendFailing = null;
            } catch (LedgerFencedException e) {
                log.error("a newer allocator took over the ledger; this one stops writing: {}", e.getMessage());
                Thread.currentThread().interrupt();
                new Thread(() -> {
                    stopLeading();
                    onFenced.run();
                }, "allocator-fenced").start();
                return;
            } catch (LedgerWriteException e) {
                if (e.getCause() instanceof LedgerFormatException broken) {
                    chainBroken(broken);
                    Thread.currentThread().interrupt();
                    new Thread(() -> {
                        stopLeading();
                        onFenced.run();
                    }, "allocator-chain-broken").start();
                    return;
                }
                log.warn("appending the decisions of {} reconciliations failed, will retry: {}", batch.size(), e.getMessage());
                appendFailing = e.getMessage();
                sleepThenRetry(batch);
            } finally {
                queue.done();
            }
        }
    }

    private void sleepThenRetry(List<Work> batch) {
        try {
            Thread.sleep(1000);
            batch.forEach(queue::add);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Reconciles a batch in one ledger transaction. Each step decides on the state folded from
     * the steps before it (their entries are staged and folded at once), and Kubernetes hears of
     * the decisions only once the transaction committed. So the state may briefly hold staged
     * entries; if the transaction fails it is folded again from the ledger before the next batch.
     */
    private void reconcile(List<Work> batch) throws LedgerWriteException {
        LedgerWriter w = writer;
        if (w == null) {
            throw new LedgerFencedException("not leading", null);
        }
        List<Runnable> afterCommit = new ArrayList<>();
        List<CompletableFuture<SnapshotInfo>> snapshotsAsked = new ArrayList<>();
        List<Work> succeeded = new ArrayList<>();
        List<Work> failed = new ArrayList<>();
        transactionEntries.clear();
        int decided = 0;
        try (LedgerTransaction transaction = w.begin()) {
            foldAgainWhenApart(w);
            for (Work work : inDecisionOrder(batch)) {
                if (work instanceof Work.SnapshotWork s) {
                    snapshotsAsked.add(s.done()); // taken once the batch committed
                    continue;
                }
                if (work instanceof Work.RestoreWork r) {
                    reconcileRestore(transaction, r, afterCommit);
                    continue;
                }
                try {
                    Reconciled done = work instanceof Work.ServiceWork s ? reconcileService(transaction, s.key(), afterCommit)
                            : reconcileConfig(transaction, (Work.ConfigWork) work, afterCommit);
                    afterCommit.add(done.tell());
                    decided += done.wrote() ? 1 : 0;
                    succeeded.add(work);
                } catch (RuntimeException e) {
                    failed.add(work);
                    log.error("reconciling {} failed; it will be retried", work, e);
                }
            }
            transaction.commit();
        }
        foldCommitted(transactionEntries);
        transactionEntries.clear();
        decisions.addAndGet(decided);
        succeeded.forEach(failures::remove);
        failed.forEach(this::retryLater);
        afterCommit.forEach(Runnable::run);
        if (settings.snapshotEvery() > 0 && state.sequence() - lastSnapshot >= settings.snapshotEvery()) {
            snapshot();
        }
        for (CompletableFuture<SnapshotInfo> asked : snapshotsAsked) {
            snapshotFor(asked);
        }
    }

    /**
     * The batch, stably reordered: restore-mode commands first (restore mode on before any missing
     * Service is seen as deleted), then resources (a new pool serves the Services beside it), then
     * deleted Services (they free IPs), then Services in {@link DecisionOrder}; snapshots last.
     */
    private List<Work> inDecisionOrder(List<Work> batch) {
        List<Work> ordered = new ArrayList<>(batch);
        ordered.sort(java.util.Comparator.comparingInt(work -> work instanceof Work.RestoreWork ? -1
                : work instanceof Work.ConfigWork ? 0
                : work instanceof Work.ServiceWork s ? cachedService(s.key()).map(svc -> 2 + DecisionOrder.rank(svc)).orElse(1)
                : 9));
        return ordered;
    }

    /** Entries staged in the open transaction, folded into the readers' state once it committed. */
    private final List<LedgerEntry> transactionEntries = new ArrayList<>();

    /** Enqueues a failed reconciliation again after a backoff that doubles with each failure in a row. */
    private void retryLater(Work work) {
        failedReconciles.incrementAndGet();
        int attempt = failures.merge(work, 1, Integer::sum);
        long delay = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(attempt - 1, 20));
        ScheduledExecutorService t = timers;
        if (t != null) {
            try {
                t.schedule(() -> queue.add(work), delay, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // no longer leading: the next leader reconciles everything
            }
        }
    }

    /** What a reconciliation tells Kubernetes once its transaction committed; whether it wrote events. */
    private record Reconciled(Runnable tell, boolean wrote) {}

    /** Folds the state again from the ledger when it differs from the writer's committed tail (after an abort). */
    private void foldAgainWhenApart(LedgerWriter w) throws LedgerWriteException {
        if (Arrays.equals(state.lastHash(), w.lastHash())) { // the hash covers the sequence too
            return;
        }
        log.warn("the state (sequence {}) differs from the ledger (sequence {}): folding it again", state.sequence(),
                w.lastSequence());
        LedgerState folded;
        try {
            folded = w.lastSequence() == 0 ? new LedgerState() : ledger.stateAt(w.lastSequence());
            requireOnChain(folded, w);
        } catch (LedgerFormatException e) {
            throw new LedgerWriteException("cannot fold the state again: " + e.getMessage(), e);
        }
        LedgerState forReaders = folded.copy();
        stateLock.writeLock().lock();
        try {
            state = folded;
            committed = forReaders;
        } finally {
            stateLock.writeLock().unlock();
        }
    }

    private Reconciled reconcileService(LedgerTransaction transaction, ServiceKey key, List<Runnable> afterCommit)
            throws LedgerWriteException {
        Optional<Service> service = cachedService(key);
        Instant now = Instant.now();
        boolean heldBefore = !state.assignmentsOf(key).isEmpty();
        Decision decided;
        if (service.isEmpty()) {
            decided = withWaitEnded(key, "ServiceDeleted", step.serviceDeleted(state, key, deleted(key), now), now);
            lastRefusal.remove(key);
        } else {
            Service svc = service.get();
            Cause cause = cause(svc, "ServiceChanged");
            decided = withoutRepeatedRefusal(key, svc, step.service(state, svc, namespaceLabels(key.namespace()), cause, now));
            if (decided.events().stream().noneMatch(e -> e.hasAllocationRefused() || e.hasIpAssigned())
                    && !lastRefusal.containsKey(key) && state.assignmentsOf(key).isEmpty()) {
                decided = withWaitEnded(key, "NoLongerServed", decided, now);
            }
        }
        Decision decision = decided;
        List<LedgerEntry> staged = stage(transaction, decision.events());
        if (WaitingServices.freesCapacity(decision.events())) {
            retryWaiting(transaction, key, afterCommit);
        }
        return new Reconciled(() -> {
            List<Note> notes = new ArrayList<>(notesFor(key, staged, heldBefore));
            if (!staged.isEmpty()) {
                List<String> statusIps = service.map(AllocatorController::statusIps).orElse(List.of());
                decision.warnings().forEach(w -> notes.add(ServiceEventNotes.warning(key, statusIps, w)));
            }
            if (service.isPresent()) {
                writeBack.submit(key, notes);
            }
            holdingsChanged(staged).map(Holding::pool).distinct().forEach(this::poolStatusLater);
        }, !staged.isEmpty());
    }

    private static Cause deleted(ServiceKey key) {
        return Cause.newBuilder().setKind("Service").setNamespace(key.namespace()).setName(key.name())
                .setReason("ServiceDeleted").build();
    }

    /** The decision, followed by the end of the Service's wait for an IP when it was waiting. */
    private Decision withWaitEnded(ServiceKey key, String reason, Decision decision, Instant now) {
        if (!waiting.isWaiting(key)) {
            return decision;
        }
        List<Event> events = new ArrayList<>(decision.events());
        events.addAll(step.waitEnded(key, reason, deleted(key).toBuilder().setReason(reason).build(), now).events());
        return new Decision(events, decision.invalid(), decision.warnings());
    }

    /**
     * An operator's restore-mode command, decided by the step in the open transaction like any
     * other change. A command the mode does not allow fails its caller and writes nothing.
     */
    private void reconcileRestore(LedgerTransaction transaction, Work.RestoreWork work, List<Runnable> afterCommit)
            throws LedgerWriteException {
        RestoreCommand command = work.command();
        Cause.Builder cause = Cause.newBuilder().setKind("Restore").setMessage("an operator's command")
                .setReason(switch (command.action()) {
                    case START -> "RestoreStarted";
                    case RELEASE -> "ReservationReleased";
                    case END -> "RestoreEnded";
                });
        if (command.service() != null) {
            cause.setKind("Service").setNamespace(command.service().namespace()).setName(command.service().name());
        }
        Instant now = Instant.now();
        Decision decision;
        try {
            decision = switch (command.action()) {
                case START -> step.restoreStarted(state, cause.build(), now);
                case RELEASE -> step.reservationReleased(state, command.service(), cause.build(), now);
                case END -> step.restoreEnded(state, services.getStore().list().stream().map(AllocatorController::key)
                        .collect(Collectors.toSet()), cause.build(), now);
            };
        } catch (IllegalStateException | IllegalArgumentException | UnsupportedOperationException e) {
            work.done().completeExceptionally(e);
            return;
        }
        List<LedgerEntry> staged = stage(transaction, decision.events());
        if (WaitingServices.freesCapacity(decision.events())) {
            retryWaiting(transaction, null, afterCommit);
        }
        List<String> released = staged.stream().map(LedgerEntry::event).filter(Event::hasIpReleased)
                .map(e -> e.getIpReleased().getIp()).toList();
        afterCommit.add(() -> {
            holdingsChanged(staged).map(Holding::pool).distinct().forEach(this::poolStatusLater);
            RestoreStatus status = withState(s -> RestoreStatus.of(s, released));
            log.info("restore mode {}: {} Services still missing, {} IPs released", command.action(),
                    status.missing().size(), released.size());
            work.done().complete(status);
            if (command.action() != RestoreCommand.Action.START) {
                resync(); // a pool kept for the reservations may be gone from the API
            }
        });
    }

    /** Per waiting Service, the resourceVersion and message of the refusal last recorded. */
    private final Map<ServiceKey, String> lastRefusal = new ConcurrentHashMap<>();

    /**
     * A Service refused again, unchanged, for the same reason (a resync, a configuration change that
     * does not help it) records nothing: the ledger and its events say it once per version.
     */
    private Decision withoutRepeatedRefusal(ServiceKey key, Service service, Decision decision) {
        List<Event> events = decision.events();
        if (events.size() != 1 || !events.get(0).hasAllocationRefused()) {
            lastRefusal.remove(key);
            return decision;
        }
        String refusal = service.getMetadata().getResourceVersion() + "|" + events.get(0).getAllocationRefused().getMessage();
        if (refusal.equals(lastRefusal.put(key, refusal)) && waiting.isWaiting(key)) {
            return new Decision(List.of(), decision.invalid(), decision.warnings());
        }
        return decision;
    }


    /**
     * Re-decides the waiting Services, oldest refusal first, in the open transaction, after a
     * decision freed capacity; records a retry only when it gives the Service an IP.
     */
    private void retryWaiting(LedgerTransaction transaction, ServiceKey except, List<Runnable> afterCommit)
            throws LedgerWriteException {
        for (ServiceKey key : waiting.oldestFirst()) {
            if (key.equals(except)) {
                continue;
            }
            Optional<Service> service = cachedService(key);
            if (service.isEmpty()) {
                stage(transaction, withWaitEnded(key, "ServiceDeleted", Decision.of(List.of()), Instant.now()).events());
                continue;
            }
            Decision retry = step.service(state, service.get(), namespaceLabels(key.namespace()),
                    cause(service.get(), "IpFreed"), Instant.now());
            if (!WaitingServices.gives(retry.events())) {
                continue;
            }
            lastRefusal.remove(key);
            List<LedgerEntry> staged = stage(transaction, retry.events());
            afterCommit.add(() -> {
                writeBack.submit(key, notesFor(key, staged));
                holdingsChanged(staged).map(Holding::pool).distinct().forEach(this::poolStatusLater);
            });
        }
    }

    private Reconciled reconcileConfig(LedgerTransaction transaction, Work.ConfigWork work, List<Runnable> afterCommit)
            throws LedgerWriteException {
        Optional<GenericKubernetesResource> resource = configs.get(work.kind()).getStore().list().stream()
                .filter(r -> r.getMetadata().getName().equals(work.name())
                        && (work.namespace() == null || work.namespace().equals(r.getMetadata().getNamespace())))
                .findFirst();
        Instant now = Instant.now();
        Decision decision;
        if (resource.isEmpty()) {
            Cause cause = Cause.newBuilder().setKind(work.kind().kind()).setName(work.name())
                    .setNamespace(work.namespace() == null ? "" : work.namespace()).setReason("ConfigDeleted").build();
            decision = step.configDeleted(state, work.kind(), work.name(), cause, now);
        } else {
            decision = step.config(state, work.kind(), resource.get(), cause(resource.get(), "ConfigChanged"), now);
        }
        List<LedgerEntry> staged = stage(transaction, decision.events());
        if (WaitingServices.freesCapacity(decision.events())) {
            retryWaiting(transaction, null, afterCommit);
        }
        return new Reconciled(() -> {
            if (resource.isEmpty()) {
                reportConfigurationState(work, null);
            }
            if (resource.isPresent()) {
                GenericKubernetesResource r = resource.get();
                Optional<PoolCounts> usage = work.kind() == MetalLbKinds.IP_ADDRESS_POOL
                        ? withState(s -> s.pool(work.name()).isPresent()
                                ? Optional.of(counting.count(s, work.name())) : Optional.empty())
                        : Optional.empty();
                boolean changed = configStatus.write(work.kind(), r, decision.invalid(), decision.warnings(), usage);
                reportConfigurationState(work, decision.invalid().orElse(null));
                decision.invalid().ifPresent(why -> recorder.record(r, Note.warning("InvalidConfiguration", why)));
                if (changed && !decision.warnings().isEmpty()) {
                    // once per change of what is ignored, not on every resync
                    String ignored = String.join("; ", decision.warnings());
                    log.atWarn().addKeyValue("event", "configIgnored").addKeyValue("kind", work.kind().kind())
                            .addKeyValue("name", work.name()).log(ignored);
                    recorder.record(r, Note.warning("IgnoredConfiguration", ignored));
                }
            }
            if (!staged.isEmpty()) {
                // a configuration change can give a refused Service an IP, or take one away
                services.getStore().list().forEach(s -> queue.add(new Work.ServiceWork(key(s))));
                withState(s -> List.copyOf(s.servicesWithAssignments())).forEach(k -> queue.add(new Work.ServiceWork(k)));
                holdingsChanged(staged).map(Holding::service).distinct()
                        .forEach(k -> writeBack.submit(k, notesFor(k, staged)));
            }
        }, !staged.isEmpty());
    }

    private void reportConfigurationState(Work.ConfigWork work, String invalid) {
        ConfigurationStateWriter writer = configurationState;
        if (writer != null) {
            writer.report(work.kind().kind() + " " + (work.namespace() == null ? "" : work.namespace() + "/")
                    + work.name(), invalid);
        }
    }

    /** A Service and pool whose holding of an IP an entry changed. */
    private record Holding(ServiceKey service, String pool) {}

    /** The holdings the assignments and releases among these entries changed. */
    private static Stream<Holding> holdingsChanged(List<LedgerEntry> entries) {
        return entries.stream().map(LedgerEntry::event)
                .filter(e -> e.hasIpAssigned() || e.hasIpReleased())
                .map(e -> e.hasIpAssigned()
                        ? new Holding(ServiceKey.of(e.getIpAssigned().getService()), e.getIpAssigned().getPool())
                        : new Holding(ServiceKey.of(e.getIpReleased().getService()), e.getIpReleased().getPool()));
    }

    /** Stages the events in the open transaction and folds them at once: the only mutation of the state. */
    private List<LedgerEntry> stage(LedgerTransaction transaction, List<Event> events) throws LedgerWriteException {
        if (events.isEmpty()) {
            return List.of();
        }
        List<Event> stamped = events.stream()
                .map(e -> e.getActor().isEmpty() ? e.toBuilder().setActor(settings.instance()).build() : e)
                .toList();
        List<LedgerEntry> staged = transaction.stage(stamped);
        fold(staged);
        transactionEntries.addAll(staged);
        return staged;
    }

    /** Folds staged entries into the worker's state (readers do not see it). */
    private void fold(List<LedgerEntry> entries) {
        for (LedgerEntry entry : entries) {
            state.apply(entry);
            step.applied(entry, state);
            waiting.applied(entry, state);
        }
    }

    /** Folds committed entries into the state readers see. */
    private void foldCommitted(List<LedgerEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        stateLock.writeLock().lock();
        try {
            for (LedgerEntry entry : entries) {
                committed.apply(entry);
                counting.applied(entry, committed);
            }
        } finally {
            stateLock.writeLock().unlock();
        }
    }

    /** Asks the worker for a snapshot of the state; fails when this instance does not lead. */
    public CompletableFuture<SnapshotInfo> requestSnapshot() {
        CompletableFuture<SnapshotInfo> done = new CompletableFuture<>();
        if (!leading) {
            done.completeExceptionally(new IllegalStateException("this allocator is not the leader"));
        } else {
            queue.add(new Work.SnapshotWork(done));
        }
        return done;
    }

    /**
     * Queues an operator's restore-mode command for the worker; completes with restore mode as it is
     * once the command committed, or fails (IllegalStateException when this instance does not
     * lead or the mode does not allow the command, IllegalArgumentException for a Service that is not reserved).
     */
    public CompletableFuture<RestoreStatus> restore(RestoreCommand command) {
        CompletableFuture<RestoreStatus> done = new CompletableFuture<>();
        if (!leading) {
            done.completeExceptionally(new IllegalStateException("this allocator is not the leader"));
        } else {
            queue.add(new Work.RestoreWork(command, done));
        }
        return done;
    }

    /** Restore mode as the committed state shows it. */
    public RestoreStatus restoreStatus() {
        return withState(RestoreStatus::of);
    }

    private volatile boolean restoreWhenLeading;

    /**
     * Restore mode starts when this instance next leads, before it decides anything, unless it is
     * on already or the ledger shows it ended after it last started ({@code run --restore}).
     */
    public void restoreWhenLeading() {
        restoreWhenLeading = true;
    }

    private void startRestoreFirst() {
        CompletableFuture<RestoreStatus> started = new CompletableFuture<>();
        started.whenComplete((status, failed) -> {
            if (failed == null) {
                restoreWhenLeading = false;
            } else {
                log.warn("restore mode did not start: {}", failed.getMessage());
            }
        });
        queue.add(new Work.RestoreWork(RestoreCommand.start(), started));
    }

    private void snapshotFor(CompletableFuture<SnapshotInfo> done) throws LedgerWriteException {
        try {
            done.complete(snapshot());
        } catch (LedgerFencedException e) {
            done.completeExceptionally(e);
            throw e;
        } catch (LedgerWriteException | RuntimeException e) {
            done.completeExceptionally(e);
        }
    }

    /**
     * Snapshots the state through the ledger (state and a SnapshotTaken event in one transaction),
     * then folds that committed event like any other.
     */
    private SnapshotInfo snapshot() throws LedgerWriteException {
        if (!(writer instanceof KafkaLedgerWriter kafkaWriter)) {
            throw new IllegalStateException("this ledger takes no snapshots");
        }
        TakenSnapshot taken = kafkaWriter.takeSnapshot(state);
        fold(List.of(taken.entry()));
        foldCommitted(List.of(taken.entry()));
        lastSnapshot = state.sequence();
        return taken.snapshot();
    }

    private void poolStatusLater(String pool) {
        configs.get(MetalLbKinds.IP_ADDRESS_POOL).getStore().list().stream()
                .filter(r -> r.getMetadata().getName().equals(pool))
                .findFirst()
                .ifPresent(r -> queue.add(new Work.ConfigWork(MetalLbKinds.IP_ADDRESS_POOL,
                        r.getMetadata().getNamespace(), pool)));
    }

    // ---- notes (Kubernetes events) from committed entries

    static List<Note> notesFor(ServiceKey key, List<LedgerEntry> committed) {
        return notesFor(key, committed, false);
    }

    /** @param heldBefore the Service held IPs before these entries (MetalLB words some refusals differently then) */
    static List<Note> notesFor(ServiceKey key, List<LedgerEntry> committed, boolean heldBefore) {
        List<Note> notes = new ArrayList<>();
        List<String> assigned = new ArrayList<>();
        for (LedgerEntry entry : committed) {
            Event e = entry.event();
            if (e.hasIpAssigned() && ServiceKey.of(e.getIpAssigned().getService()).equals(key)) {
                assigned.add(e.getIpAssigned().getIp());
            } else if (e.hasIpReleased() && ServiceKey.of(e.getIpReleased().getService()).equals(key)) {
                notes.add(Note.normal(ServiceEventNotes.CLEAR_ASSIGNMENT, "Released IP " + e.getIpReleased().getIp() + " ("
                        + e.getIpReleased().getReason().name().toLowerCase().replace('_', ' ') + ")"));
            } else if (e.hasReservationClaimed() && ServiceKey.of(e.getReservationClaimed().getService()).equals(key)) {
                notes.add(Note.normal("ReservationClaimed", "Reappeared while restoring: the IPs "
                        + e.getReservationClaimed().getIpsList() + " the ledger kept for it are its own again"));
            } else if (e.hasAllocationRefused() && ServiceKey.of(e.getAllocationRefused().getService()).equals(key)) {
                notes.add(ServiceEventNotes.refused(key, e.getAllocationRefused(), heldBefore));
            }
        }
        if (!assigned.isEmpty()) {
            notes.add(ServiceEventNotes.allocated(assigned));
        }
        return notes;
    }

    /** The IPs a Service's status shows. */
    private static List<String> statusIps(Service service) {
        if (service.getStatus() == null || service.getStatus().getLoadBalancer() == null
                || service.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        return service.getStatus().getLoadBalancer().getIngress().stream().map(i -> i.getIp()).filter(ip -> ip != null)
                .toList();
    }

    // ---- reading

    public <T> T withState(Function<LedgerState, T> read) {
        stateLock.readLock().lock();
        try {
            return read.apply(committed == null ? new LedgerState() : committed);
        } finally {
            stateLock.readLock().unlock();
        }
    }

    public Map<String, PoolCounts> poolUsage() {
        return withState(s -> PoolCounts.of(s, counting));
    }

    /** Reconciliations that threw (each is retried with backoff). */
    public long failedReconciles() {
        return failedReconciles.get();
    }

    /** Decisions committed by this instance. */
    public long decisions() {
        return decisions.get();
    }

    /** Nothing queued, nothing being decided, no status write pending (for tests that step through changes). */
    boolean idle() {
        return queue.idle() && writeBack.pending() == 0;
    }

    /** The resourceVersion of the Service in this controller's cache, or null when it has none. */
    String cachedResourceVersion(ServiceKey key) {
        return cachedService(key).map(s -> s.getMetadata().getResourceVersion()).orElse(null);
    }

    /** Work waiting: queued reconciliations plus status writes. */
    public int backlog() {
        return queue.size() + writeBack.pending();
    }

    public ServiceWriteBack writeBack() {
        return writeBack;
    }

    private List<IpAssigned> assignmentsOf(ServiceKey key) {
        return withState(s -> List.copyOf(s.assignmentsOf(key)));
    }

    private Optional<Service> cachedService(ServiceKey key) {
        return Optional.ofNullable(services.getStore().getByKey(key.namespace() + "/" + key.name()));
    }

    private Map<String, String> namespaceLabels(String namespace) {
        Namespace ns = namespaces.getStore().getByKey(namespace);
        return ns == null || ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels();
    }

    private static ServiceKey key(HasMetadata object) {
        return new ServiceKey(object.getMetadata().getNamespace(), object.getMetadata().getName());
    }

    private static Cause cause(HasMetadata object, String reason) {
        var meta = object.getMetadata();
        return Cause.newBuilder()
                .setKind(object.getKind() == null ? "" : object.getKind())
                .setNamespace(meta.getNamespace() == null ? "" : meta.getNamespace())
                .setName(meta.getName())
                .setUid(meta.getUid() == null ? "" : meta.getUid())
                .setResourceVersion(meta.getResourceVersion() == null ? "" : meta.getResourceVersion())
                .setReason(reason)
                .build();
    }

    @Override
    public void close() {
        stopLeading();
        queue.close();
        writeBack.close();
        recorder.close();
        if (configurationState != null) {
            configurationState.close();
        }
        if (services != null) {
            services.close();
            namespaces.close();
            configs.values().forEach(SharedIndexInformer::close);
        }
    }
}
