package io.ledgerlb.speaker.bgp;

/** Opens sessions of one kind: {@code native} or {@code gobgp}. Chosen per peer (BGPPeer's backend). */
public interface BgpBackend extends AutoCloseable {

    /** Starts peering (connecting or listening); returns at once. */
    BgpSession open(BgpPeerConfig peer, SessionListener listener);

    /** The name configuration uses for it: "native" or "gobgp". */
    String name();

    @Override
    void close();
}
