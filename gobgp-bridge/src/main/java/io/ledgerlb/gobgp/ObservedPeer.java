package io.ledgerlb.gobgp;

import java.net.InetAddress;

/** A neighbor as gobgpd lists it: the fields the bridge compares, and its state. */
public record ObservedPeer(InetAddress address, long peerAsn, String password, PeerSessionState state) {
}
