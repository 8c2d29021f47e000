package io.ledgerlb.speaker.l2;

import io.ledgerlb.speaker.l2.NeighborRequest.ArpRequest;
import io.ledgerlb.speaker.l2.NeighborRequest.NeighborSolicitation;
import java.util.Optional;

/** Decides the answer to a request seen on an interface: pure, given what this node owns right now. */
public final class Responder {
    private Responder() {}

    /** The frame to send, or empty when the IP is not ours on this interface (or the request is our own). */
    public static Optional<byte[]> answer(NeighborRequest request, InterfaceIdentity iface, OwnedIps owned) {
        if (request.senderMac().equals(iface.mac()) || !owned.answers(request.target(), iface.name())) {
            return Optional.empty();
        }
        if (request instanceof ArpRequest arp) {
            return Optional.of(Frames.arpReply(iface.mac(), arp.target(), arp));
        }
        NeighborSolicitation ns = (NeighborSolicitation) request;
        return Optional.of(Frames.neighborAdvertisement(iface.mac(), ns.target(), ns));
    }
}
