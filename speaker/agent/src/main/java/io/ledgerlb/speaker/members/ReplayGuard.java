package io.ledgerlb.speaker.members;

import io.ledgerlb.speaker.members.DroppedDatagram.Reason;
import io.ledgerlb.speaker.members.GossipSeal.Header;
import io.ledgerlb.speaker.members.GossipSeal.RunId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Believes each authenticated datagram once, and only while it is fresh: pure, the caller passes
 * the wall clock. Per sender it keeps the current run and, as IPsec does, the highest counter
 * seen with a window of the {@value #WINDOW} before it (datagrams may arrive out of order). A
 * datagram is stale when it was sent more than {@code maxAge} ago (or that far in the future:
 * clocks differ), or comes from an earlier run than the one we know; a later run (a restart)
 * replaces the known one. A run may not start in the future either, or its claim would shut the
 * sender's real runs out.
 *
 * <p>The window is per sender, not per sender and receiver: a genuine datagram captured on its way
 * to one speaker and sent to another within {@code maxAge} is believed there once. It says only
 * what its sender said, recently; binding the receiver's address would break speakers reached
 * through another address than the one they bind.
 */
final class ReplayGuard {
    static final int WINDOW = 64;
    static final int MAX_SENDERS = 4096;

    private static final class Run {
        final RunId id;
        final long start;
        long highest;
        long seen; // bit i: highest - i was seen

        Run(RunId id, long start) {
            this.id = id;
            this.start = start;
        }
    }

    private final long maxAgeMillis;
    private final Map<String, Run> runs = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Run> eldest) {
            return size() > MAX_SENDERS;
        }
    };

    ReplayGuard(long maxAgeMillis) {
        this.maxAgeMillis = maxAgeMillis;
    }

    /** Accepts a datagram's header, or says why not. */
    void accept(Header h, long nowMillis) throws DroppedDatagram {
        if (Math.abs(nowMillis - h.sentAtMillis()) > maxAgeMillis) {
            throw new DroppedDatagram(Reason.STALE, "sent " + (nowMillis - h.sentAtMillis()) + " ms ago (clocks more than "
                    + maxAgeMillis + " ms apart, or a recording)");
        }
        if (h.runStart() > nowMillis + maxAgeMillis) {
            throw new DroppedDatagram(Reason.IMPLAUSIBLE, "a run that starts in the future");
        }
        Run run = runs.get(h.sender());
        if (run == null || h.runStart() > run.start) {
            run = new Run(h.run(), h.runStart());
            runs.put(h.sender(), run);
        } else if (!run.id.equals(h.run())) {
            throw new DroppedDatagram(Reason.STALE, "from an earlier run of " + h.sender());
        }
        long c = h.counter();
        if (c > run.highest) {
            long shift = c - run.highest;
            run.seen = shift >= WINDOW ? 0 : run.seen << shift;
            run.seen |= 1;
            run.highest = c;
            return;
        }
        long age = run.highest - c;
        if (age >= WINDOW) {
            throw new DroppedDatagram(Reason.STALE, "counter " + c + " is older than the window (" + run.highest + ")");
        }
        if ((run.seen & (1L << age)) != 0) {
            throw new DroppedDatagram(Reason.REPLAYED, "counter " + c + " of " + h.sender() + " seen before");
        }
        run.seen |= 1L << age;
    }
}
