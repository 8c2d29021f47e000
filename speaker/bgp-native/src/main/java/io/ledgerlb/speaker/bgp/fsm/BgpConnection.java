package io.ledgerlb.speaker.bgp.fsm;

import io.ledgerlb.speaker.bgp.NextHops;

/** One TCP connection to the peer, as the FSM sees it; the socket adapter implements it. */
public interface BgpConnection {
    /** Whether the peer opened it (collision resolution needs to know who initiated). */
    boolean inbound();

    /** The next hops this connection's local addresses give. */
    NextHops nextHops();

    /**
     * Whether the connection takes more UPDATEs now. While it does not (the peer reads slower
     * than we send), the FSM holds its changes back, and sends them, coalesced, once
     * {@link BgpFsm#writable} is called.
     */
    default boolean writable() {
        return true;
    }
}
