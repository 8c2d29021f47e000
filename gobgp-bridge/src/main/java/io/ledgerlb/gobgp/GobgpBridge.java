package io.ledgerlb.gobgp;

import io.ledgerlb.gobgp.api.Global;
import io.ledgerlb.net.IpPrefix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Keeps one gobgpd holding exactly the BGP instance, neighbors and paths it is given.
 *
 * <p>Callers replace the desired sets ({@link #setPeers}, {@link #setPaths}) and never block on
 * the network. One thread reconciles: it lists what gobgpd holds, computes a {@link ReconcilePlan}
 * and sends only that difference. It runs after every change, every {@code resync} interval (to
 * repair edits made behind its back), and at once when gobgpd's event stream breaks (gobgpd
 * restarted: its instance, neighbors and paths are gone, and are all added again). While gobgpd
 * cannot be reached the bridge logs it once, reports every neighbor UNREACHABLE, keeps the
 * desired state and retries with exponential backoff.
 */
public final class GobgpBridge implements AutoCloseable {

    /** Told of neighbor states and of gobgpd's reachability, on the bridge's thread. */
    public interface Listener {
        void peerState(InetAddress peer, PeerSessionState state, String reason);

        default void reachability(boolean reachable, String detail) {
        }

        Listener NONE = (peer, state, reason) -> { };
    }

    private static final Logger log = LoggerFactory.getLogger(GobgpBridge.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(250);
    private static final Duration LAST_RETRY = Duration.ofSeconds(10);

    private final GobgpClient client;
    private final Listener listener;
    private final Duration resync;
    private final ScheduledExecutorService thread;

    // desired state: written by callers, read by the bridge thread
    private volatile BgpGlobal global;
    private volatile Map<InetAddress, DesiredPeer> desiredPeers = Map.of();
    private volatile Map<IpPrefix, DesiredPath> desiredPaths = Map.of();

    // the bridge thread's own state
    private final Map<InetAddress, DesiredPeer> appliedPeers = new HashMap<>();
    private final Map<InetAddress, PeerSessionState> peerStates = new ConcurrentHashMap<>();
    private final List<CompletableFuture<ReconcilePlan>> waiting = new ArrayList<>();
    private ScheduledFuture<?> next;
    private Duration retry = FIRST_RETRY;
    private volatile boolean reachable = true;
    private AutoCloseable watch;
    private volatile boolean closed;

    public GobgpBridge(GobgpClient client, BgpGlobal global, Listener listener, Duration resync) {
        this.client = client;
        this.global = global;
        this.listener = Objects.requireNonNull(listener);
        this.resync = resync;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gobgp-bridge " + client.target());
            t.setDaemon(true);
            return t;
        });
        submit(0);
    }

    /** A bridge to the gobgpd at {@code target} ("127.0.0.1:50051", "unix:///run/gobgpd.sock"). */
    public static GobgpBridge connect(String target, BgpGlobal global, Listener listener) {
        return new GobgpBridge(new GobgpClient(target, Duration.ofSeconds(10)), global, listener, Duration.ofSeconds(30));
    }

    /** Sets gobgpd's instance when it was not known at construction (no neighbor or path is sent before). */
    public void setGlobal(BgpGlobal global) {
        this.global = global;
        submit(0);
    }

    public Optional<BgpGlobal> global() {
        return Optional.ofNullable(global);
    }

    /** Replaces the neighbors gobgpd should have. */
    public void setPeers(Collection<DesiredPeer> peers) {
        desiredPeers = Map.copyOf(peers.stream().collect(Collectors.toMap(DesiredPeer::address, Function.identity())));
        submit(0);
    }

    /** Replaces the paths gobgpd should originate (one per prefix). */
    public void setPaths(Collection<DesiredPath> paths) {
        desiredPaths = Map.copyOf(paths.stream().collect(Collectors.toMap(DesiredPath::prefix, Function.identity())));
        submit(0);
    }

    /** Completes with the plan of the next reconciliation that succeeds; never fails, may wait long. */
    public CompletableFuture<ReconcilePlan> reconcile() {
        CompletableFuture<ReconcilePlan> done = new CompletableFuture<>();
        thread.execute(() -> {
            waiting.add(done);
            submit(0);
        });
        return done;
    }

    public boolean reachable() {
        return reachable;
    }

    public PeerSessionState peerState(InetAddress peer) {
        return reachable ? peerStates.getOrDefault(peer, PeerSessionState.IDLE) : PeerSessionState.UNREACHABLE;
    }

    private void submit(long delayMillis) {
        if (closed) {
            return;
        }
        thread.execute(() -> {
            if (next != null) {
                next.cancel(false);
            }
            next = thread.schedule(this::reconcileOnce, delayMillis, TimeUnit.MILLISECONDS);
        });
    }

    private void reconcileOnce() {
        if (closed) {
            return;
        }
        List<CompletableFuture<ReconcilePlan>> served = new ArrayList<>(waiting);
        waiting.clear();
        try {
            ReconcilePlan plan = apply();
            markReachable();
            retry = FIRST_RETRY;
            served.forEach(f -> f.complete(plan));
            next = thread.schedule(this::reconcileOnce, resync.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            waiting.addAll(served);
            markUnreachable(e);
            next = thread.schedule(this::reconcileOnce, retry.toMillis(), TimeUnit.MILLISECONDS);
            retry = retry.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retry.multipliedBy(2);
        }
    }

    private ReconcilePlan apply() {
        BgpGlobal wanted = global;
        if (wanted == null) {
            return ReconcilePlan.between(Map.of(), Map.of(), List.of(), Map.of(), List.of());
        }
        ensureStarted(wanted);
        Map<IpPrefix, DesiredPath> paths = desiredPaths;
        Map<InetAddress, DesiredPeer> peers = desiredPeers;
        List<ObservedPath> held = new ArrayList<>();
        for (RouteFamily family : RouteFamily.values()) {
            held.addAll(client.localPaths(family));
        }
        ReconcilePlan plan = ReconcilePlan.between(peers, appliedPeers, client.peers(), paths, held);
        if (!plan.empty()) {
            log.info("reconciling gobgpd at {}: {}", client.target(), plan);
        }
        for (InetAddress peer : plan.peersToDelete()) {
            client.deletePeer(peer);
            appliedPeers.remove(peer);
        }
        for (DesiredPeer peer : plan.peersToAdd()) {
            client.addPeer(peer);
            appliedPeers.put(peer.address(), peer);
        }
        if (!plan.pathsToDelete().isEmpty()) {
            client.withdrawPaths(plan.pathsToDelete());
        }
        if (!plan.pathsToAdd().isEmpty()) {
            client.addPaths(plan.pathsToAdd());
        }
        forgetStatesOfRemovedPeers(peers);
        if (watch == null) {
            watch = client.watchPeers(this::observed, this::watchEnded);
        }
        return plan;
    }

    private void ensureStarted(BgpGlobal wanted) {
        Optional<Global> running = client.global();
        Global expected = ApiCodec.global(wanted);
        if (running.isPresent() && running.get().getAsn() == expected.getAsn()
                && running.get().getRouterId().equals(expected.getRouterId())) {
            return;
        }
        if (running.isPresent()) {
            log.warn("gobgpd at {} runs AS{} router id {}; restarting it as AS{} router id {}", client.target(),
                    Integer.toUnsignedLong(running.get().getAsn()), running.get().getRouterId(), wanted.asn(), wanted.routerId());
            client.stop();
        } else {
            log.info("starting BGP in gobgpd at {}: AS{} router id {} listen port {}", client.target(),
                    wanted.asn(), wanted.routerId(), wanted.listenPort());
        }
        appliedPeers.clear();
        client.start(wanted);
    }

    private void observed(ObservedPeer peer) {
        onBridgeThread(() -> {
            PeerSessionState before = peerStates.put(peer.address(), peer.state());
            if (before != peer.state() && desiredPeers.containsKey(peer.address())) {
                listener.peerState(peer.address(), peer.state(), "gobgpd reports " + peer.state());
            }
        });
    }

    private void watchEnded(Throwable reason) {
        onBridgeThread(() -> {
            watch = null;
            if (!closed) {
                log.debug("gobgpd event stream ended: {}", reason.toString());
                submit(0);
            }
        });
    }

    /** For gRPC callbacks, which may still arrive after close. */
    private void onBridgeThread(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException afterClose) {
            // closed: nothing to update
        }
    }

    private void forgetStatesOfRemovedPeers(Map<InetAddress, DesiredPeer> peers) {
        peerStates.keySet().removeIf(address -> !peers.containsKey(address));
    }

    private void markReachable() {
        if (!reachable) {
            reachable = true;
            log.info("gobgpd at {} is reachable again; its neighbors and paths are restored", client.target());
            listener.reachability(true, "gobgpd reachable");
        }
    }

    private void markUnreachable(RuntimeException e) {
        if (reachable) {
            reachable = false;
            log.warn("gobgpd at {} is unreachable ({}); keeping {} neighbors and {} paths to restore, retrying with backoff",
                    client.target(), e.getMessage(), desiredPeers.size(), desiredPaths.size());
            listener.reachability(false, "gobgpd unreachable: " + e.getMessage());
            peerStates.clear();
            desiredPeers.keySet().forEach(p -> listener.peerState(p, PeerSessionState.UNREACHABLE, "gobgpd unreachable"));
        } else {
            log.debug("gobgpd at {} still unreachable: {}", client.target(), e.getMessage());
        }
        closeWatch();
    }

    private void closeWatch() {
        if (watch != null) {
            try {
                watch.close();
            } catch (Exception ignored) {
                // the stream is gone already
            }
            watch = null;
        }
    }

    /**
     * Stops reconciling and closes the connection. With {@code withdraw}, first deletes this
     * bridge's neighbors (an orderly CEASE) and paths from gobgpd, best effort.
     */
    public void close(boolean withdraw) {
        if (closed) {
            return;
        }
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
            closed = true;
            if (next != null) {
                next.cancel(false);
            }
            closeWatch();
            if (withdraw && reachable) {
                try {
                    desiredPeers = Map.of();
                    desiredPaths = Map.of();
                    apply();
                    closeWatch();
                } catch (RuntimeException e) {
                    log.warn("could not withdraw from gobgpd at {} while closing: {}", client.target(), e.getMessage());
                }
            }
        }, thread);
        try {
            done.get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("closing the bridge to {}: {}", client.target(), e.toString());
        }
        thread.shutdownNow();
        client.close();
    }

    /** Stops reconciling, leaving gobgpd as it is. */
    @Override
    public void close() {
        close(false);
    }
}
