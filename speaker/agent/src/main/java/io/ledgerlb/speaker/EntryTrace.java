package io.ledgerlb.speaker;

import io.ledgerlb.ledger.event.LedgerEntry;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an assignment's time goes inside the speaker, for benchmarks: off unless the system
 * property {@code ledgerlb.speaker.traceEntries} is {@code true}. For each {@code IpAssigned} and
 * {@code IpReleased} entry, one INFO line ({@code "event":"entryTrace"}) gives in its message the wall-clock
 * instants, in microseconds since the epoch (comparable with another process's on the same host),
 * at which
 * <ul>
 *   <li>{@code folded}: the follower had folded it and handed it on;</li>
 *   <li>{@code taken}: the planning thread took it;</li>
 *   <li>{@code planned}: its plan was made and Layer 2 applied;</li>
 *   <li>{@code bgpTaken} / {@code bgpDone}: the BGP thread started / finished telling the sessions
 *       (a native session then builds and writes the UPDATE on its own thread); 0 when the entry
 *       changed nothing in BGP.</li>
 * </ul>
 */
final class EntryTrace {
    private static final Logger log = LoggerFactory.getLogger(EntryTrace.class);
    static final boolean ON = Boolean.getBoolean("ledgerlb.speaker.traceEntries");

    private static final class Stamps {
        final String ip;
        final long folded;
        long taken;
        long planned;

        Stamps(String ip, long folded) {
            this.ip = ip;
            this.folded = folded;
        }
    }

    private final ConcurrentSkipListMap<Long, Stamps> pending = new ConcurrentSkipListMap<>();

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }

    /** On the follower's thread. */
    void folded(LedgerEntry entry) {
        String ip = switch (entry.event().getBodyCase()) {
            case IP_ASSIGNED -> entry.event().getIpAssigned().getIp();
            case IP_RELEASED -> entry.event().getIpReleased().getIp();
            default -> null;
        };
        if (ip != null) {
            pending.put(entry.sequence(), new Stamps(ip, nowMicros()));
        }
    }

    /** On the planning thread. */
    void taken(long sequence) {
        Stamps s = pending.get(sequence);
        if (s != null) {
            s.taken = nowMicros();
        }
    }

    /** On the planning thread, once a pass has planned these entries and applied Layer 2. */
    void planned(Collection<Long> sequences) {
        long now = nowMicros();
        sequences.forEach(seq -> {
            Stamps s = pending.get(seq);
            if (s != null) {
                s.planned = now;
            }
        });
    }

    /** Every entry up to {@code sequence} is done; BGP took it at {@code bgpTaken} and was done at {@code bgpDone} (0, 0: no BGP work). */
    void done(long sequence, long bgpTaken, long bgpDone) {
        Map<Long, Stamps> upTo = pending.headMap(sequence, true);
        upTo.forEach((seq, s) -> log.atInfo().addKeyValue("event", "entryTrace").addKeyValue("sequence", seq)
                .log("entryTrace ip={} folded={} taken={} planned={} bgpTaken={} bgpDone={}",
                        s.ip, s.folded, s.taken, s.planned, bgpTaken, bgpDone));
        upTo.clear();
    }
}
