package io.ledgerlb.speaker.bgp.bfd;

import java.util.function.DoubleSupplier;

/**
 * One BFD session in asynchronous mode (RFC 5880 §6.8): the state machine, its timers and the
 * poll sequence, with neither socket nor clock. The caller passes the time (nanoseconds on any
 * monotonic clock) with every event and calls {@link #tick} at {@link #nextDeadline()}; tests drive
 * it with a number. Not thread-safe: one thread (the session's) calls it.
 *
 * <p>Timers: packets go every max(bfd.DesiredMinTxInterval, bfd.RemoteMinRxInterval), less 0-25%
 * jitter (§6.8.7), at least a second apart while not Up (§6.8.3); moving to the fast rate once
 * Up is a parameter change, announced with a poll sequence. The session goes Down when nothing
 * came for the detection time, remote detect mult × max(bfd.RequiredMinRxInterval, the remote's
 * desired min TX) (§6.8.4). Demand mode and the echo function are not implemented: the D bit is
 * never sent and the remote's is ignored, so this end keeps sending periodic packets (which a
 * peer in demand mode tolerates).
 */
public final class BfdSession {
    private static final long NONE = Long.MAX_VALUE;

    /** What the session does to the world, called from within its methods. */
    public interface Output {
        void send(BfdControlPacket packet);

        /** @param diag the local diagnostic now (why it went down) */
        void stateChanged(BfdState from, BfdState to, int diag);
    }

    private final long localDiscriminator;
    private final BfdSettings settings;
    private final DoubleSupplier jitter;
    private final Output output;

    private BfdState state = BfdState.DOWN;
    private int diag = BfdDiag.NONE;
    private long remoteDiscriminator;
    private BfdState remoteState = BfdState.DOWN;
    private long remoteMinRxMicros = 1; // §6.8.1: initialised to 1
    private long remoteDesiredMinTxMicros;
    private int remoteDetectMult;
    private boolean pollActive;
    private boolean peerRestarted;
    private boolean heardFromPeer;
    private long nextTx;
    private long detectionDeadline = NONE;

    /**
     * @param localDiscriminator non-zero, unique among this system's sessions
     * @param jitter             values in [0, 1): how much of the allowed jitter to take per packet
     */
    public BfdSession(long localDiscriminator, BfdSettings settings, DoubleSupplier jitter, Output output, long now) {
        if (localDiscriminator == 0 || localDiscriminator > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("local discriminator must be a non-zero 32-bit value");
        }
        this.localDiscriminator = localDiscriminator;
        this.settings = settings;
        this.jitter = jitter;
        this.output = output;
        this.nextTx = settings.passive() ? NONE : now;
    }

    public BfdState state() {
        return state;
    }

    public int diag() {
        return diag;
    }

    public long localDiscriminator() {
        return localDiscriminator;
    }

    public long remoteDiscriminator() {
        return remoteDiscriminator;
    }

    /** The peer's state in its last packet (Down after the detection time passed in silence). */
    public BfdState remoteState() {
        return remoteState;
    }

    /**
     * The last packet came with another discriminator than the one before: the peer started a new
     * session (FRR does when its BGP sets the session's source address), so its Down says nothing
     * of the path, over which that packet just came.
     */
    public boolean peerRestarted() {
        return peerRestarted;
    }

    public boolean pollActive() {
        return pollActive;
    }

    /** The negotiated transmit interval now, in microseconds. */
    public long txIntervalMicros() {
        return Math.max(advertisedDesiredMinTxMicros(), remoteMinRxMicros);
    }

    /** The detection time now, in microseconds (0 before the peer was heard). */
    public long detectionTimeMicros() {
        return remoteDetectMult * Math.max(micros(settings.requiredMinRx().toNanos()), remoteDesiredMinTxMicros);
    }

    /** When {@link #tick} has something to do next; {@link Long#MAX_VALUE} when nothing is due. */
    public long nextDeadline() {
        return Math.min(nextTx, detectionDeadline);
    }

    /** A packet that passed the codec's checks and whose your-discriminator is 0 or ours (§6.8.6). */
    public void received(BfdControlPacket p, long now) {
        if (p.yourDiscriminator() != 0 && p.yourDiscriminator() != localDiscriminator) {
            return;
        }
        long txBefore = txIntervalMicros();
        peerRestarted = remoteDiscriminator != 0 && p.myDiscriminator() != remoteDiscriminator;
        remoteDiscriminator = p.myDiscriminator();
        remoteState = p.state();
        remoteMinRxMicros = p.requiredMinRxMicros();
        remoteDesiredMinTxMicros = p.desiredMinTxMicros();
        remoteDetectMult = p.detectMult();
        if (p.fin() && pollActive) {
            pollActive = false;
        }
        detectionDeadline = now + detectionTimeMicros() * 1_000;
        if (!heardFromPeer) {
            heardFromPeer = true;
            if (nextTx == NONE) {
                nextTx = now; // a passive end starts sending now (§6.1)
            }
        }
        if (state == BfdState.ADMIN_DOWN) {
            return;
        }
        if (remoteState == BfdState.ADMIN_DOWN) {
            if (state != BfdState.DOWN) {
                change(BfdState.DOWN, BfdDiag.NEIGHBOR_SIGNALED_DOWN, now);
            }
        } else if (state == BfdState.DOWN) {
            if (remoteState == BfdState.DOWN) {
                change(BfdState.INIT, BfdDiag.NONE, now);
            } else if (remoteState == BfdState.INIT) {
                change(BfdState.UP, BfdDiag.NONE, now);
            }
        } else if (state == BfdState.INIT) {
            if (remoteState == BfdState.INIT || remoteState == BfdState.UP) {
                change(BfdState.UP, BfdDiag.NONE, now);
            }
        } else if (remoteState == BfdState.DOWN) {
            change(BfdState.DOWN, BfdDiag.NEIGHBOR_SIGNALED_DOWN, now);
        }
        if (p.poll()) {
            output.send(packet(false, true)); // §6.8.6: Final at once, whatever the timer
        }
        if (txIntervalMicros() < txBefore && nextTx != NONE) {
            nextTx = Math.min(nextTx, now + jittered(txIntervalMicros()));
        }
    }

    /** Fires what is due at {@code now}: detection timeout, periodic transmission. */
    public void tick(long now) {
        if (now >= detectionDeadline) {
            detectionDeadline = NONE;
            remoteDiscriminator = 0; // §6.8.1: reset once the detection time passed in silence
            remoteState = BfdState.DOWN;
            if (state == BfdState.INIT || state == BfdState.UP) {
                change(BfdState.DOWN, BfdDiag.DETECTION_TIME_EXPIRED, now);
            }
        }
        if (now >= nextTx) {
            transmit(now);
        }
    }

    /** Takes the session administratively down (§6.8.16): the peer is told, no detection any more. */
    public void adminDown(long now) {
        if (state != BfdState.ADMIN_DOWN) {
            change(BfdState.ADMIN_DOWN, BfdDiag.ADMIN_DOWN, now);
        }
    }

    private void change(BfdState to, int newDiag, long now) {
        BfdState from = state;
        state = to;
        diag = newDiag;
        if (to == BfdState.UP && settings.desiredMinTx().compareTo(BfdSettings.SLOW_TX) < 0) {
            pollActive = true; // DesiredMinTx drops from the slow rate to the profile's
        }
        if (to == BfdState.ADMIN_DOWN || to == BfdState.DOWN) {
            pollActive = false;
        }
        output.stateChanged(from, to, newDiag);
        if (nextTx != NONE) {
            transmit(now); // tell the peer at once rather than a second later
        }
    }

    private void transmit(long now) {
        if (remoteMinRxMicros == 0) {
            nextTx = now + micros(BfdSettings.SLOW_TX.toNanos()) * 1_000; // §6.8.7: the peer wants none; look again later
            return;
        }
        output.send(packet(pollActive, false));
        nextTx = now + jittered(txIntervalMicros());
    }

    /** The interval less 0-25% (0-10% more when detect mult is 1, so the last packet stays within 90%), in ns. */
    private long jittered(long intervalMicros) {
        double cut = (settings.detectMult() == 1 ? 0.10 + 0.15 * jitter.getAsDouble() : 0.25 * jitter.getAsDouble());
        return (long) (intervalMicros * 1_000 * (1 - cut));
    }

    private BfdControlPacket packet(boolean poll, boolean fin) {
        return new BfdControlPacket(diag, state, poll, fin, false, false, settings.detectMult(), localDiscriminator,
                remoteDiscriminator, advertisedDesiredMinTxMicros(), micros(settings.requiredMinRx().toNanos()), 0);
    }

    private long advertisedDesiredMinTxMicros() {
        long configured = micros(settings.desiredMinTx().toNanos());
        return state == BfdState.UP ? configured : Math.max(configured, micros(BfdSettings.SLOW_TX.toNanos()));
    }

    private static long micros(long nanos) {
        return nanos / 1_000;
    }
}
