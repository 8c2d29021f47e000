package io.ledgerlb.speaker.members;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a silent member's host still holds its process: what confirms a suspicion before the
 * member is declared dead. Every speaker listens on TCP at its membership address and closes
 * what it accepts. The kernel completes a TCP handshake for a listening socket even while the
 * process stands still (a GC pause, SIGSTOP, a frozen cgroup), refuses it once the process is
 * gone (RST), and a host that is down or cut off answers nothing. So a member whose heartbeats
 * stopped but whose host accepts is stalled, not dead: its IPs stay where they are (its kernel
 * still forwards their traffic; only its ARP/NDP answers wait). A refusal, a timeout or no verdict
 * yet vouches for nothing, so a dead member is declared dead exactly as before.
 *
 * <p>What this believes is unauthenticated: something that completes TCP handshakes at a dead
 * member's address keeps it alive, but only for the caller's stall limit.
 */
final class HostVouch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HostVouch.class);
    /** Handshakes the kernel completes for us while we stand still, before it drops the next. */
    private static final int BACKLOG = 1024;

    private final ServerSocket listener;
    private final Thread acceptor;
    private final ExecutorService probes;
    private final int connectTimeoutMs;
    private final long freshNanos;
    private final Map<String, Long> vouchedAt = new ConcurrentHashMap<>();
    /** Probes under way, by member: when each started. */
    private final Map<String, Long> probing = new ConcurrentHashMap<>();
    /** Members whose host refused or did not answer since they went silent. */
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param connectTimeout how long a probe waits for a handshake
     * @param fresh          how long a successful probe vouches for its member
     */
    HostVouch(InetSocketAddress address, Duration connectTimeout, Duration fresh) throws IOException {
        this.connectTimeoutMs = (int) connectTimeout.toMillis();
        this.freshNanos = fresh.toNanos();
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(address, BACKLOG);
        this.acceptor = new Thread(this::accept, "membership-vouch");
        acceptor.setDaemon(true);
        acceptor.start();
        this.probes = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "membership-probe");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts a probe of this member's host, unless one is under way. */
    void probe(String name, InetSocketAddress address) {
        if (probing.putIfAbsent(name, System.nanoTime()) != null) {
            return;
        }
        try {
            probes.execute(() -> {
                try (Socket socket = new Socket()) {
                    socket.setSoLinger(true, 0); // closed with a RST: no TIME_WAIT left behind per probe
                    socket.connect(address, connectTimeoutMs);
                    refused.remove(name);
                    if (vouchedAt.put(name, System.nanoTime()) == null) {
                        log.atInfo().addKeyValue("event", "memberStalled").addKeyValue("member", name)
                                .log("{} is silent but its host holds its process: stalled, not dead, it keeps its IPs", name);
                    }
                } catch (IOException e) {
                    refused.add(name);
                    vouchedAt.remove(name);
                } finally {
                    probing.remove(name);
                }
            });
        } catch (RejectedExecutionException e) {
            probing.remove(name);
        }
    }

    /**
     * True when, as of {@code now} ({@link System#nanoTime}), a probe of the member's host had
     * succeeded within the last {@code fresh}, or, before any probe of this silence answered, the
     * first one was still under way within its connect timeout: on a starved CPU the probe's
     * thread may run late, and no verdict yet is no refusal.
     *
     * <p>{@code now} is when the caller measured the member's silence, not when it asks: a stall
     * of our own in between (a GC pause in the middle of a membership round) would otherwise age
     * every vouch past {@code fresh} and declare dead a stalled peer that was vouched for when its
     * silence was measured — the peer's heartbeats then arrive a few ms later and it is alive again.
     */
    boolean vouched(String name, long now) {
        Long at = vouchedAt.get(name);
        if (at != null && now - at <= freshNanos) {
            return true;
        }
        Long since = probing.get(name);
        return !refused.contains(name) && since != null && now - since <= connectTimeoutMs * 1_000_000L;
    }

    /** Forgets the members that spoke again or were declared dead: a new stall is logged again. */
    void keepOnly(Set<String> silent) {
        vouchedAt.keySet().retainAll(silent);
        refused.retainAll(silent);
    }

    boolean running() {
        return closed || acceptor.isAlive();
    }

    private void accept() {
        while (!closed) {
            try {
                listener.accept().close();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("membership vouch socket failed: {}", e.toString());
                    pause();
                }
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        probes.shutdownNow();
        try {
            listener.close();
        } catch (IOException e) {
            log.debug("closing the membership vouch socket: {}", e.toString());
        }
    }
}
