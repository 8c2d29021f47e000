package io.ledgerlb.ledger.event;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names of few values as decoded (pools, namespaces, actors, causes' kinds and reasons): one String
 * per name for every event that carries it, from whichever thread decodes it. A cluster has few of
 * them, and every event names some: a fresh copy per event would be garbage at replay, and the
 * state would rebuild each assignment to share its pool and namespace
 * ({@code LedgerState.withSharedNames}). Each thread remembers the names it met last, so a
 * name met again costs a comparison, not a String.
 */
final class SharedNames {
    /** More distinct names than this are decoded as they come, not shared (a bound on what is kept). */
    private static final int MAX = 4_096;
    private static final int RECENT = 64;
    private static final ConcurrentHashMap<String, String> ALL = new ConcurrentHashMap<>();
    private static final ThreadLocal<String[]> RECENT_BY_THREAD = ThreadLocal.withInitial(() -> new String[RECENT]);

    private SharedNames() {}

    /** The ASCII text at {@code bytes[at, at + length)}, as the one String shared for it when there is one. */
    static String ascii(byte[] bytes, int at, int length) {
        String[] recent = RECENT_BY_THREAD.get();
        int slot = slot(bytes, at, length);
        String known = recent[slot];
        if (known != null && equalsAscii(known, bytes, at, length)) {
            return known;
        }
        String name = new String(bytes, at, length, StandardCharsets.ISO_8859_1);
        String shared = ALL.get(name);
        if (shared == null) {
            shared = ALL.size() < MAX ? ALL.computeIfAbsent(name, n -> n) : name;
        }
        recent[slot] = shared;
        return shared;
    }

    private static int slot(byte[] bytes, int at, int length) {
        int h = length;
        for (int i = at; i < at + length; i++) {
            h = 31 * h + bytes[i];
        }
        return (h ^ (h >>> 16)) & (RECENT - 1);
    }

    private static boolean equalsAscii(String known, byte[] bytes, int at, int length) {
        if (known.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (known.charAt(i) != bytes[at + i]) {
                return false;
            }
        }
        return true;
    }
}
