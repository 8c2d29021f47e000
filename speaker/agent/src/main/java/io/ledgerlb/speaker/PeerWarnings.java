package io.ledgerlb.speaker;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which of its BGPPeers' problems this node tells the user about, as Warning Events: each cause
 * once, and again only after it changed — never once per retry. Per peer it remembers the cause it
 * last reported:
 * <ul>
 * <li>a configuration problem (the backend cannot serve the peer, its Secret is missing, ...) is
 *     reported at once, and forgotten once the configuration resolves, so that it is reported
 *     again should it come back;</li>
 * <li>a session that was established and went down is reported at once
 *     ({@value #SESSION_DOWN});</li>
 * <li>a session that does not come up is reported once it failed {@value #FAILURES_BEFORE_WARNING}
 *     times in a row without being established ({@value #SESSION_FAILING}): a router that is
 *     still starting is no news, a peer that keeps refusing or sending NOTIFICATIONs is.</li>
 * </ul>
 * A new session (the peer's configuration changed) starts afresh. Pure bookkeeping, thread-safe:
 * sessions report from their own threads, and a session replaced meanwhile is not heard any more.
 */
final class PeerWarnings {
    static final int FAILURES_BEFORE_WARNING = 3;
    static final String SESSION_DOWN = "BGPSessionDown";
    static final String SESSION_FAILING = "BGPSessionNotEstablished";

    /** A Warning Event to record on the BGPPeer named {@code peer}. */
    record Warning(String peer, String reason, String message) {}

    /** What was last reported for a peer, and whether it was a configuration problem. */
    private record Reported(String reason, String message, boolean config) {}

    private final String node;
    private final Map<String, Reported> reported = new HashMap<>();
    /** Peer → the number of its current session; older sessions' reports are ignored. */
    private final Map<String, Integer> sessions = new HashMap<>();
    /** Peer → failed attempts of its current session since it was last established. */
    private final Map<String, Integer> failures = new HashMap<>();
    private int lastSession;

    PeerWarnings(String node) {
        this.node = node;
    }

    /** The peer's configuration cannot be used on this node for {@code reason}; a warning unless that was reported last. */
    synchronized Optional<Warning> configProblem(String peer, String reason, String message) {
        return report(peer, new Reported(reason, "node " + node + ": " + message, true));
    }

    /** The peer's configuration is usable: a configuration problem reported before is over. */
    synchronized void configResolved(String peer) {
        Reported last = reported.get(peer);
        if (last != null && last.config()) {
            reported.remove(peer);
        }
    }

    /** A new session for the peer; returns its number, which its reports carry. */
    synchronized int sessionOpened(String peer) {
        int session = ++lastSession;
        sessions.put(peer, session);
        failures.remove(peer);
        Reported last = reported.get(peer);
        if (last != null && !last.config()) {
            reported.remove(peer);
        }
        return session;
    }

    synchronized void established(String peer, int session) {
        if (current(peer, session)) {
            failures.remove(peer);
        }
    }

    /** Session {@code session} of the peer failed; a warning when it is worth one (see the class comment). */
    synchronized Optional<Warning> sessionFailed(String peer, int session, boolean wasEstablished, String cause) {
        if (!current(peer, session)) {
            return Optional.empty();
        }
        if (wasEstablished) {
            failures.remove(peer);
            return report(peer, new Reported(SESSION_DOWN, "node " + node + ": the established BGP session went down: " + cause, false));
        }
        if (failures.merge(peer, 1, Integer::sum) < FAILURES_BEFORE_WARNING) {
            return Optional.empty();
        }
        return report(peer, new Reported(SESSION_FAILING, "node " + node + ": the BGP session does not come up: " + cause, false));
    }

    /** Forgets the peers not in {@code peers} (no longer selecting this node, or removed). */
    synchronized void retain(Set<String> peers) {
        reported.keySet().retainAll(peers);
        sessions.keySet().retainAll(peers);
        failures.keySet().retainAll(peers);
    }

    /** Forgets the peer's session (closed): its late reports are not heard. */
    synchronized void sessionClosed(String peer) {
        sessions.remove(peer);
        failures.remove(peer);
    }

    private boolean current(String peer, int session) {
        return Objects.equals(sessions.get(peer), session);
    }

    private Optional<Warning> report(String peer, Reported now) {
        if (now.equals(reported.get(peer))) {
            return Optional.empty();
        }
        reported.put(peer, now);
        return Optional.of(new Warning(peer, now.reason(), now.message()));
    }
}
