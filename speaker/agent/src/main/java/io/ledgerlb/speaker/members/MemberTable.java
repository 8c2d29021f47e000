package io.ledgerlb.speaker.members;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Who is alive, as this speaker knows it: pure, driven by a clock the caller passes in.
 *
 * <p>A member is alive while its heartbeat keeps advancing: directly (every speaker sends its
 * own entry to every live member each interval) or second-hand (each interval the whole table
 * goes to one random member, so a path that drops packets is bridged by the others). A member
 * whose heartbeat has not advanced for {@code failAfter} is dead; a member that says it is
 * leaving is gone at once. Only dead members that come back with a newer heartbeat or a newer
 * incarnation (a restart) are alive again, so stale second-hand news never resurrects anyone.
 *
 * <p>What a peer may claim is bounded, so that even a speaker holding the key cannot pin a
 * member's state forever (a leave at incarnation 2^63-1): only a member's own datagrams may say
 * it leaves or raise its incarnation, an incarnation (its run's start time) may not lie more than
 * {@code maxSkew} in the future, and a heartbeat may not run ahead by more than one a millisecond.
 * A claim about ourselves newer than our own state is refuted as in SWIM: we raise our
 * incarnation, and our next heartbeat supersedes the claim everywhere.
 */
final class MemberTable {
    enum Status { ALIVE, DEAD, LEFT }

    private record Entry(MemberState state, long lastAdvanced, Status status, long aliveSince) {}

    private final long failAfterNanos;
    private final long joinDelayNanos;
    private final long forgetAfterNanos;
    private final long maxSkewMillis;
    private final long selfSince;
    private MemberState self;
    private final Map<String, Entry> others = new HashMap<>();
    private long refutations;

    /**
     * @param joinDelayNanos how long a member must have been alive, in this table, before it may
     *        own anything: a speaker that just started (ourselves included) or came back takes its
     *        IPs only once, after the others know it too, and a node that bounces does not drag
     *        IPs back and forth. A speaker counts its own join delay longer, by the failure
     *        timeout: the others start counting only once they hear it, and it must not claim
     *        an IP while the interim owner still answers for it (a short silence is harmless,
     *        clients keep their neighbour entries; two answers make them flap)
     */
    MemberTable(MemberState self, long failAfterNanos, long joinDelayNanos, long maxSkewMillis, long now) {
        this.self = self;
        this.maxSkewMillis = maxSkewMillis;
        this.failAfterNanos = failAfterNanos;
        this.joinDelayNanos = joinDelayNanos;
        this.forgetAfterNanos = Math.max(failAfterNanos * 600, 60_000_000_000L);
        this.selfSince = now;
    }

    MemberState self() {
        return self;
    }

    /** One more heartbeat of our own. */
    void beat() {
        self = new MemberState(self.name(), self.address(), self.incarnation(), self.heartbeat() + 1, self.leaving());
    }

    void leave() {
        self = new MemberState(self.name(), self.address(), self.incarnation(), self.heartbeat() + 1, true);
    }

    /** What a merge did: whether the live set changed, and how many entries claimed what they may not. */
    record Merged(boolean changed, int rejected) {}

    /**
     * Folds what {@code sender} told us (null: a sender we cannot authenticate, whose every entry
     * counts as first-hand). {@code now} is the table's clock, {@code nowMillis} the wall clock
     * that incarnations are measured against.
     */
    Merged merge(List<MemberState> gossip, String sender, long now, long nowMillis) {
        Set<String> before = alive();
        int rejected = 0;
        for (MemberState m : gossip) {
            if (m.incarnation() > nowMillis + maxSkewMillis || m.heartbeat() < 0) {
                rejected++;
                continue;
            }
            if (m.name().equals(self.name())) {
                refuteIfNewer(m, nowMillis);
                continue;
            }
            Entry known = others.get(m.name());
            boolean firstHand = sender == null || sender.equals(m.name());
            if (!firstHand && (m.leaving() || known != null && known.status == Status.ALIVE
                    && m.incarnation() != known.state.incarnation())) {
                continue; // only a member itself says it leaves or restarted, unless we think it dead
            }
            if (known != null && m.incarnation() == known.state.incarnation()
                    && m.heartbeat() - known.state.heartbeat() > (now - known.lastAdvanced) / 1_000_000 + 1000) {
                rejected++;
                continue;
            }
            if (known == null || m.supersedes(known.state)) {
                Status status = m.leaving() ? Status.LEFT : Status.ALIVE;
                boolean continues = known != null && known.status == Status.ALIVE
                        && known.state.incarnation() == m.incarnation();
                others.put(m.name(), new Entry(m, now, status, continues ? known.aliveSince : now));
            }
        }
        return new Merged(!before.equals(alive()), rejected);
    }

    /** Someone says we left, or speaks of a newer run of us: we outbid it, as SWIM refutes a suspicion. */
    private void refuteIfNewer(MemberState claim, long nowMillis) {
        boolean newer = claim.incarnation() > self.incarnation()
                || claim.incarnation() == self.incarnation() && (claim.heartbeat() > self.heartbeat() || claim.leaving());
        if (newer && !self.leaving()) {
            long incarnation = Math.max(Math.max(self.incarnation(), claim.incarnation()) + 1, nowMillis);
            self = new MemberState(self.name(), self.address(), incarnation, 0, false);
            refutations++;
        }
    }

    /** How often we have refuted a claim about ourselves. */
    long refutations() {
        return refutations;
    }

    /** Declares dead the members not heard of for {@code failAfter}; true when the live set changed. */
    boolean expire(long now) {
        return expire(now, name -> false, 0);
    }

    /**
     * Declares dead the members not heard of for {@code failAfter}, except those {@code vouched}
     * for (their host says the process is there: it stands still, it is not gone) and silent for
     * at most {@code stallLimitNanos}; true when the live set changed.
     */
    boolean expire(long now, Predicate<String> vouched, long stallLimitNanos) {
        boolean changed = false;
        for (Map.Entry<String, Entry> e : others.entrySet()) {
            Entry entry = e.getValue();
            long silent = now - entry.lastAdvanced;
            if (entry.status == Status.ALIVE && silent > failAfterNanos
                    && !(silent <= stallLimitNanos && vouched.test(e.getKey()))) {
                e.setValue(new Entry(entry.state, entry.lastAdvanced, Status.DEAD, entry.aliveSince));
                changed = true;
            }
        }
        others.values().removeIf(entry -> entry.status != Status.ALIVE && now - entry.lastAdvanced > forgetAfterNanos);
        return changed;
    }

    /**
     * After a stall of our own longer than the failure timeout: every live member's silence counts
     * from {@code now}, as if just heard. We could not have heard anyone while we stood still, so
     * their silence says nothing yet; a member that really died meanwhile is found dead one
     * {@code failAfter} later.
     */
    void restartWindows(long now) {
        others.replaceAll((name, e) -> e.status == Status.ALIVE && e.lastAdvanced < now
                ? new Entry(e.state, now, e.status, e.aliveSince) : e);
    }

    /** The live members' names, ourselves included unless we are leaving. */
    Set<String> alive() {
        Set<String> alive = new TreeSet<>();
        if (!self.leaving()) {
            alive.add(self.name());
        }
        others.forEach((name, entry) -> {
            if (entry.status == Status.ALIVE) {
                alive.add(name);
            }
        });
        return alive;
    }

    /** The live members that have been alive for the join delay: the ones that may own IPs. */
    Set<String> eligible(long now) {
        Set<String> eligible = new TreeSet<>();
        if (!self.leaving() && now - selfSince >= joinDelayNanos + failAfterNanos) {
            eligible.add(self.name());
        }
        others.forEach((name, entry) -> {
            if (entry.status == Status.ALIVE && now - entry.aliveSince >= joinDelayNanos) {
                eligible.add(name);
            }
        });
        return eligible;
    }

    Status status(String name) {
        Entry e = others.get(name);
        return e == null ? null : e.status;
    }

    /** What we tell others: ourselves first, then the live members, then recent leavers. */
    List<MemberState> gossip(long now) {
        List<MemberState> out = new ArrayList<>();
        out.add(self);
        others.values().stream().filter(e -> e.status == Status.ALIVE).forEach(e -> out.add(e.state));
        others.values().stream()
                .filter(e -> e.status == Status.LEFT && now - e.lastAdvanced < 20 * failAfterNanos)
                .forEach(e -> out.add(e.state));
        return out;
    }

    /** The live members not heard of for at least {@code silentNanos}. */
    List<MemberState> silentFor(long now, long silentNanos) {
        return others.values().stream()
                .filter(e -> e.status == Status.ALIVE && now - e.lastAdvanced >= silentNanos)
                .map(e -> e.state).toList();
    }

    /** Where the live members listen. */
    List<InetSocketAddress> liveAddresses() {
        return others.values().stream().filter(e -> e.status == Status.ALIVE).map(e -> e.state.address()).toList();
    }

    /** True when some member, alive or not, is known at this address: seeds need no more contacting. */
    boolean knowsAliveAt(InetSocketAddress address) {
        return others.values().stream().anyMatch(e -> e.status == Status.ALIVE && e.state.address().equals(address));
    }
}
