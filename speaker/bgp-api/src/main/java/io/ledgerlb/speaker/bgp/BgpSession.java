package io.ledgerlb.speaker.bgp;

import io.ledgerlb.net.IpPrefix;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One BGP peering, as the speaker sees it: it says which prefixes the peer should hold, and the
 * backend (the native Java speaker, or a GoBGP daemon) makes it so — now, or as soon as the
 * session is up, and again after every reconnect. The speaker never talks BGP itself.
 */
public interface BgpSession extends AutoCloseable {

    /**
     * Replaces the whole set of advertisements this session announces. The backend sends only
     * the difference (new and changed prefixes, withdrawals) and never blocks on the network.
     */
    void set(Collection<Advertisement> advertisements);

    /**
     * Changes some prefixes of the set: each to its new advertisement, or withdrawn (empty). A
     * backend that can send just these does, so a change costs its prefixes, not the whole set
     * (50,000 Services); the default replaces the whole set with {@code whole}, the set after it.
     */
    default void change(Map<IpPrefix, Optional<Advertisement>> changes, Supplier<Collection<Advertisement>> whole) {
        set(whole.get());
    }

    /** The session's state now, for status objects and metrics. */
    SessionState state();

    /** Withdraws nothing explicitly: ends the session with an orderly CEASE (or its equivalent). */
    @Override
    void close();

    /**
     * Ends the session for another backend to take the peer over. Where graceful restart was
     * negotiated (RFC 4724), a backend that can ends it without a NOTIFICATION, so the router keeps
     * this session's paths, marked stale, until the next session from this address brings them
     * again: the paths never leave the router. Otherwise the same as {@link #close()}.
     */
    default void handOver() {
        close();
    }
}
