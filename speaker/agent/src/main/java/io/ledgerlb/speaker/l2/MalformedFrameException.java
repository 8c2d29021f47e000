package io.ledgerlb.speaker.l2;

/** A frame that claims to be ARP or ICMPv6 but does not follow the protocol; it is ignored. */
public class MalformedFrameException extends Exception {
    public MalformedFrameException(String message) {
        super(message);
    }
}
