package io.ledgerlb.speaker.bgp.fsm;

import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.ADMINISTRATIVE_SHUTDOWN;
import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.BAD_BGP_IDENTIFIER;
import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.BAD_PEER_AS;
import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.CEASE;
import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.CONNECTION_COLLISION_RESOLUTION;
import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.FSM_ERROR;
import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.HOLD_TIMER_EXPIRED;
import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.OPEN_MESSAGE_ERROR;
import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.UNEXPECTED_IN_ESTABLISHED;
import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.UNEXPECTED_IN_OPEN_CONFIRM;
import static io.ledgerlb.speaker.bgp.codec.NotificationMessage.UNEXPECTED_IN_OPEN_SENT;

import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.net.IpText;
import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.SessionState;
import io.ledgerlb.speaker.bgp.codec.AddressFamily;
import io.ledgerlb.speaker.bgp.codec.BgpCodec;
import io.ledgerlb.speaker.bgp.codec.BgpDecodeException;
import io.ledgerlb.speaker.bgp.codec.BgpMessage;
import io.ledgerlb.speaker.bgp.codec.Capability;
import io.ledgerlb.speaker.bgp.codec.KeepaliveMessage;
import io.ledgerlb.speaker.bgp.codec.NotificationMessage;
import io.ledgerlb.speaker.bgp.codec.OpenMessage;
import io.ledgerlb.speaker.bgp.codec.RouteRefreshMessage;
import io.ledgerlb.speaker.bgp.codec.UpdateMessage;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The RFC 4271 §8 finite state machine of one peering, free of sockets and clocks: events come in
 * as method calls (all on one thread), and it answers through {@link SessionIo} and
 * {@link Timers}. It may hold two connections at once while a collision (§6.8) is resolved; the
 * session's state is that of the most advanced one.
 */
public final class BgpFsm {
    /** CEASE subcode "BFD Down" (RFC 9384). */
    static final int BFD_DOWN = 10;
    /** Prefixes per round of UPDATEs: a few dozen KB of messages, so the send queue's bound holds. */
    static final int CHUNK = 1024;
    private static final List<AddressFamily> FAMILIES = List.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);

    private final FsmSettings settings;
    private final BgpPeerConfig peer;
    private final SessionIo io;
    private final Timers timers;
    private final FsmObserver observer;

    private final List<Peering> peerings = new ArrayList<>(2);
    private final RibOut ribOut = new RibOut();
    private Map<IpPrefix, Advertisement> desired = new LinkedHashMap<>();
    /**
     * While established: the prefixes whose desired advertisement may differ from what RibOut
     * says was sent. UPDATEs are made from them only while the connection is writable, so a
     * prefix that changes many times while the peer does not read is sent once, as it is then.
     */
    private final Set<IpPrefix> unsent = new LinkedHashSet<>();
    private boolean started;
    private boolean connecting;
    private boolean everEstablished;
    private int failures;
    private Timers.Timer retryTimer;
    private SessionState reported = SessionState.IDLE;

    /** One TCP connection and how far its OPEN exchange got. */
    private final class Peering {
        final BgpConnection connection;
        SessionState state = SessionState.OPEN_SENT;
        boolean fourOctetAs;
        Duration holdTime = FsmSettings.OPEN_HOLD_TIME;
        OpenMessage received;
        RibOut.Context context;
        /** The families whose End-of-RIB goes out once nothing is unsent. */
        final Set<AddressFamily> endOfRibDue = new LinkedHashSet<>();
        Timers.Timer holdTimer;
        Timers.Timer keepaliveTimer;

        Peering(BgpConnection connection) {
            this.connection = connection;
        }

        void send(BgpMessage... messages) {
            send(List.of(messages));
        }

        void send(List<? extends BgpMessage> messages) {
            List<byte[]> encoded = new ArrayList<>(messages.size());
            for (BgpMessage m : messages) {
                encoded.add(BgpCodec.encode(m, fourOctetAs));
            }
            io.send(connection, encoded);
            long updates = messages.stream().filter(UpdateMessage.class::isInstance).count();
            if (updates > 0) {
                observer.updatesSent((int) updates);
            }
        }

        void restartHoldTimer() {
            cancel(holdTimer);
            holdTimer = holdTime.isZero() ? null : timers.schedule(holdTime, () -> holdTimerExpired(this));
        }

        void cancelTimers() {
            cancel(holdTimer);
            cancel(keepaliveTimer);
            holdTimer = null;
            keepaliveTimer = null;
        }
    }

    public BgpFsm(FsmSettings settings, SessionIo io, Timers timers, FsmObserver observer) {
        this.settings = settings;
        this.peer = settings.peer();
        this.io = io;
        this.timers = timers;
        this.observer = observer;
    }

    // ---- events from the speaker

    /** ManualStart (or ManualStart with passive TCP establishment). */
    public void start() {
        if (started) {
            return;
        }
        started = true;
        if (settings.passive()) {
            report("started, waiting for the peer to connect");
        } else {
            attemptConnect();
        }
    }

    /** ManualStop: CEASE to the peer, connections closed, IDLE. */
    public void stop() {
        stop(new NotificationMessage(CEASE, ADMINISTRATIVE_SHUTDOWN));
    }

    /**
     * Stops without telling the peer (no NOTIFICATION): with graceful restart negotiated, the
     * peer keeps the routes for the restart time, as RFC 4724 wants when the speaker restarts.
     */
    public void stopForRestart() {
        stop(null);
    }

    private void stop(NotificationMessage notification) {
        started = false;
        cancel(retryTimer);
        retryTimer = null;
        for (Peering p : List.copyOf(peerings)) {
            if (notification != null) {
                p.send(notification);
            }
            drop(p, notification == null ? "stopped" : "stopped: sent " + notification);
        }
        report("stopped");
    }

    /**
     * BFD found the path to the peer down (RFC 5882 §4.3): every connection ends at once with a
     * CEASE "BFD Down" (RFC 9384; it may well not arrive) and the session starts over, as after
     * any failure, instead of waiting for the hold timer.
     */
    public void pathDown(String reason) {
        for (Peering p : List.copyOf(peerings)) {
            p.send(new NotificationMessage(CEASE, BFD_DOWN));
            fail(p, "BFD: " + reason);
        }
    }

    /** The desired advertisements: sent now if the session is up, else when it comes up. */
    public void set(Collection<Advertisement> advertisements) {
        Map<IpPrefix, Advertisement> next = new LinkedHashMap<>(advertisements.size() * 2); // never rehashes
        advertisements.forEach(a -> next.put(a.prefix(), a)); // a lambda, compiled early: see RibOut.update
        desired = next;
        Peering established = established();
        if (established != null) {
            unsent.addAll(ribOut.differing(desired));
            sendUnsent(established);
        }
    }

    /** Some desired advertisements changed (empty: withdrawn): only these are compared and sent. */
    public void change(Map<IpPrefix, Optional<Advertisement>> changes) {
        Map<IpPrefix, Advertisement> next = desired instanceof LinkedHashMap<IpPrefix, Advertisement> own ? own : new LinkedHashMap<>(desired);
        changes.forEach((prefix, a) -> {
            if (a.isPresent()) {
                next.put(prefix, a.get());
            } else {
                next.remove(prefix);
            }
        });
        desired = next;
        Peering established = established();
        if (established != null) {
            unsent.addAll(changes.keySet());
            sendUnsent(established);
        }
    }

    /** The connection takes UPDATEs again after a congestion: what was held back goes out now. */
    public void writable(BgpConnection connection) {
        Peering p = find(connection);
        if (p != null && p.state == SessionState.ESTABLISHED) {
            sendUnsent(p);
        }
    }

    /**
     * UPDATEs for the unsent prefixes, a chunk at a time while the connection is writable, then
     * the End-of-RIBs due. RibOut records each chunk as sent.
     */
    private void sendUnsent(Peering p) {
        boolean sent = false;
        while (!unsent.isEmpty() && p.connection.writable()) {
            Map<IpPrefix, Optional<Advertisement>> chunk = new LinkedHashMap<>(CHUNK * 2);
            var it = unsent.iterator();
            while (it.hasNext() && chunk.size() < CHUNK) {
                IpPrefix prefix = it.next();
                it.remove();
                chunk.put(prefix, Optional.ofNullable(desired.get(prefix)));
            }
            List<UpdateMessage> updates = ribOut.change(chunk, p.context);
            if (!updates.isEmpty()) {
                p.send(updates);
                sent = true;
            }
        }
        if (unsent.isEmpty() && !p.endOfRibDue.isEmpty()) {
            p.send(p.endOfRibDue.stream().map(UpdateMessage::endOfRib).toList());
            p.endOfRibDue.clear();
        }
        if (sent) {
            observer.announced(ribOut.size());
        }
        observer.heldBack(unsent.size());
    }

    public SessionState state() {
        return reported;
    }

    // ---- events from the network

    public void connected(BgpConnection connection) {
        if (!connection.inbound()) {
            connecting = false;
        }
        if (!started) {
            io.close(connection);
            return;
        }
        if (established() != null) {
            // §6.8: a connection while one is established loses the collision
            io.send(connection, List.of(BgpCodec.encode(
                    new NotificationMessage(CEASE, CONNECTION_COLLISION_RESOLUTION), false)));
            io.close(connection);
            return;
        }
        cancel(retryTimer);
        retryTimer = null;
        Peering p = new Peering(connection);
        peerings.add(p);
        p.send(open());
        p.restartHoldTimer();
        report((connection.inbound() ? "accepted" : "connected") + ", OPEN sent");
    }

    public void connectFailed(String reason) {
        connecting = false;
        if (started && peerings.isEmpty()) {
            observer.failed(false, "connect failed: " + reason);
            scheduleRetry("connect failed: " + reason);
        }
    }

    /** A whole message arrived on a connection (framed, not yet decoded). */
    public void received(BgpConnection connection, byte[] message) {
        Peering p = find(connection);
        if (p == null) {
            return;
        }
        BgpMessage decoded;
        try {
            decoded = BgpCodec.decode(message, p.fourOctetAs);
        } catch (BgpDecodeException e) {
            error(p, e.notification(), e.getMessage());
            return;
        }
        if (decoded instanceof NotificationMessage n) {
            if (n.code() == CEASE && n.subcode() == CONNECTION_COLLISION_RESOLUTION) {
                drop(p, "peer sent " + n); // the peer keeps the other connection
            } else {
                fail(p, "peer sent " + n);
            }
            return;
        }
        if (p.state != SessionState.OPEN_SENT) {
            p.restartHoldTimer();
        }
        switch (p.state) {
            case OPEN_SENT -> {
                if (decoded instanceof OpenMessage open) {
                    openReceived(p, open);
                } else {
                    error(p, new NotificationMessage(FSM_ERROR, UNEXPECTED_IN_OPEN_SENT), "expected OPEN, got type " + decoded.type());
                }
            }
            case OPEN_CONFIRM -> {
                if (decoded instanceof KeepaliveMessage) {
                    establish(p);
                } else {
                    error(p, new NotificationMessage(FSM_ERROR, UNEXPECTED_IN_OPEN_CONFIRM), "expected KEEPALIVE, got type " + decoded.type());
                }
            }
            default -> {
                if (decoded instanceof RouteRefreshMessage refresh) {
                    if (p.context.families().contains(refresh.family())) {
                        unsent.addAll(ribOut.forget(refresh.family(), desired));
                        p.endOfRibDue.add(refresh.family());
                        sendUnsent(p);
                    }
                } else if (decoded instanceof OpenMessage) {
                    error(p, new NotificationMessage(FSM_ERROR, UNEXPECTED_IN_ESTABLISHED), "OPEN on an established session");
                }
                // UPDATEs are accepted and ignored (this speaker only announces); KEEPALIVE restarted the hold timer
            }
        }
    }

    /** The header of the next message was already wrong: the connection cannot go on. */
    public void framingError(BgpConnection connection, BgpDecodeException error) {
        Peering p = find(connection);
        if (p != null) {
            error(p, error.notification(), error.getMessage());
        }
    }

    public void closed(BgpConnection connection, String reason) {
        Peering p = find(connection);
        if (p != null) {
            fail(p, "connection closed: " + reason);
        }
    }

    // ---- the OPEN exchange

    /**
     * The families this session offers: both with {@code dualStackAddressFamily}, else only the
     * peer address's own (MetalLB's default: IPv4 prefixes over IPv4 sessions, IPv6 over IPv6).
     */
    private List<AddressFamily> families() {
        return FAMILIES.stream().filter(f -> peer.carries(f == AddressFamily.IPV6_UNICAST)).toList();
    }

    private OpenMessage open() {
        List<Capability> capabilities = new ArrayList<>();
        families().forEach(f -> capabilities.add(new Capability.Multiprotocol(f)));
        capabilities.add(new Capability.RouteRefresh());
        capabilities.add(new Capability.FourOctetAs(peer.myAsn()));
        if (peer.gracefulRestart()) {
            capabilities.add(new Capability.GracefulRestart(!everEstablished,
                    (int) Math.min(settings.restartTime().toSeconds(), 0x0FFF),
                    families().stream().map(f -> new Capability.GracefulFamily(f, true)).toList()));
        }
        return OpenMessage.of(peer.myAsn(), (int) peer.holdTime().toSeconds(), settings.routerId(), capabilities);
    }

    private void openReceived(Peering p, OpenMessage open) {
        if (open.asn() != peer.peerAsn()) {
            byte[] as = {(byte) (open.myAs() >> 8), (byte) open.myAs()};
            error(p, new NotificationMessage(OPEN_MESSAGE_ERROR, BAD_PEER_AS, as), "peer AS " + open.asn() + ", expected " + peer.peerAsn());
            return;
        }
        long remoteId = unsigned(open.bgpId());
        if (remoteId == 0 || (peer.ibgp() && remoteId == unsigned(settings.routerId()))) {
            error(p, new NotificationMessage(OPEN_MESSAGE_ERROR, BAD_BGP_IDENTIFIER), "bad BGP identifier " + IpText.of(open.bgpId()));
            return;
        }
        for (Peering other : List.copyOf(peerings)) {
            if (other != p && other.state == SessionState.OPEN_CONFIRM) {
                // §6.8: the connection opened by the side with the higher BGP identifier survives
                boolean localHigher = unsigned(settings.routerId()) > remoteId;
                Peering loser = (p.connection.inbound() == localHigher) ? p : other;
                loser.send(new NotificationMessage(CEASE, CONNECTION_COLLISION_RESOLUTION));
                drop(loser, "connection collision resolved");
                if (loser == p) {
                    return;
                }
            }
        }
        p.received = open;
        p.fourOctetAs = open.fourOctetAs().isPresent();
        long proposed = peer.holdTime().toSeconds();
        p.holdTime = Duration.ofSeconds(Math.min(proposed, open.holdTime()));
        p.state = SessionState.OPEN_CONFIRM;
        p.send(KeepaliveMessage.INSTANCE);
        p.restartHoldTimer();
        scheduleKeepalive(p);
        report("OPEN received from " + IpText.of(open.bgpId()) + " AS" + open.asn() + ", hold time " + p.holdTime.toSeconds() + "s");
    }

    private void scheduleKeepalive(Peering p) {
        if (p.holdTime.isZero()) {
            return; // hold time 0: no keepalives at all (§4.4)
        }
        Duration keepalive = peer.keepaliveTime();
        if (keepalive == null || keepalive.isZero() || keepalive.compareTo(p.holdTime) >= 0) {
            keepalive = p.holdTime.dividedBy(3);
        }
        Duration interval = keepalive.isZero() ? Duration.ofSeconds(1) : keepalive;
        p.keepaliveTimer = timers.schedule(interval, () -> {
            if (peerings.contains(p)) {
                p.send(KeepaliveMessage.INSTANCE);
                scheduleKeepalive(p);
            }
        });
    }

    private void establish(Peering p) {
        for (Peering other : List.copyOf(peerings)) {
            if (other != p) {
                other.send(new NotificationMessage(CEASE, CONNECTION_COLLISION_RESOLUTION));
                drop(other, "connection collision resolved");
            }
        }
        p.state = SessionState.ESTABLISHED;
        Set<AddressFamily> families = new LinkedHashSet<>();
        families().stream().filter(p.received::negotiatesFamily).forEach(families::add);
        p.context = new RibOut.Context(peer.myAsn(), peer.ibgp(), p.fourOctetAs, families, p.connection.nextHops());
        failures = 0;
        everEstablished = true;
        List<AddressFamily> withoutNextHop = families.stream()
                .filter(f -> !p.context.canAnnounce(f == AddressFamily.IPV6_UNICAST)).toList();
        report(withoutNextHop.isEmpty() ? "established" : "established; " + withoutNextHop
                + " prefixes are not announced: no address of that family on the session's interface to use as next hop");
        ribOut.clear();
        unsent.clear();
        unsent.addAll(desired.keySet());
        p.endOfRibDue.addAll(families);
        sendUnsent(p);
        observer.announced(ribOut.size());
    }

    // ---- errors, timers, teardown

    private void holdTimerExpired(Peering p) {
        if (peerings.contains(p)) {
            error(p, new NotificationMessage(HOLD_TIMER_EXPIRED, 0), "hold timer expired after " + p.holdTime.toSeconds() + "s");
        }
    }

    private void error(Peering p, NotificationMessage notification, String why) {
        p.send(notification);
        fail(p, why + ", sent " + notification);
    }

    /** A connection lost to an error (not to a stop or a collision): the observer hears why. */
    private void fail(Peering p, String why) {
        boolean wasEstablished = p.state == SessionState.ESTABLISHED;
        drop(p, why);
        observer.failed(wasEstablished, why);
    }

    private void drop(Peering p, String why) {
        peerings.remove(p);
        p.cancelTimers();
        io.close(p.connection);
        if (p.state == SessionState.ESTABLISHED) {
            ribOut.clear();
            unsent.clear();
            observer.announced(0);
            observer.heldBack(0);
        }
        if (started && peerings.isEmpty() && !connecting) {
            scheduleRetry(why);
        } else {
            report(why);
        }
    }

    private void scheduleRetry(String why) {
        cancel(retryTimer);
        Duration delay = settings.firstRetry().multipliedBy(1L << Math.min(failures, 16));
        Duration cap = peer.connectTime() == null || peer.connectTime().isZero() ? Duration.ofSeconds(120) : peer.connectTime();
        if (delay.compareTo(cap) > 0) {
            delay = cap;
        }
        failures++;
        if (!settings.passive()) {
            retryTimer = timers.schedule(delay, () -> {
                retryTimer = null;
                if (started && peerings.isEmpty() && !connecting) {
                    attemptConnect();
                }
            });
        }
        report(why + (settings.passive() ? "" : ", retrying in " + delay.toMillis() + "ms"));
    }

    private void attemptConnect() {
        connecting = true;
        report("connecting");
        io.connect();
    }

    /** Consecutive failed attempts since the last established session (the backoff exponent). */
    int failures() {
        return failures;
    }

    private Peering established() {
        for (Peering p : peerings) {
            if (p.state == SessionState.ESTABLISHED) {
                return p;
            }
        }
        return null;
    }

    private Peering find(BgpConnection connection) {
        for (Peering p : peerings) {
            if (p.connection == connection) {
                return p;
            }
        }
        return null;
    }

    private void report(String reason) {
        SessionState now = currentState();
        if (now != reported) {
            SessionState before = reported;
            reported = now;
            observer.stateChanged(before, now, reason);
        }
    }

    private SessionState currentState() {
        SessionState best = null;
        for (Peering p : peerings) {
            if (best == null || p.state.ordinal() > best.ordinal()) {
                best = p.state;
            }
        }
        if (best != null) {
            return best;
        }
        if (!started) {
            return SessionState.IDLE;
        }
        return connecting ? SessionState.CONNECT : SessionState.ACTIVE;
    }

    private static void cancel(Timers.Timer timer) {
        if (timer != null) {
            timer.cancel();
        }
    }

    private static long unsigned(Inet4Address address) {
        byte[] b = address.getAddress();
        return ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
    }
}
