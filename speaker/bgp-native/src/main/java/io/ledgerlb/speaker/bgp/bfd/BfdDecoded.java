package io.ledgerlb.speaker.bgp.bfd;

/** What {@link BfdCodec#decode} made of a datagram: a packet to hand to its session, or why it is dropped. */
public sealed interface BfdDecoded {
    record Accepted(BfdControlPacket packet) implements BfdDecoded {}

    /** @param detail the offending value, for the log */
    record Discarded(BfdDiscard reason, String detail) implements BfdDecoded {}
}
