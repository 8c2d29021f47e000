package io.ledgerlb.speaker.bgp.codec;

/** KEEPALIVE: the header alone. */
public record KeepaliveMessage() implements BgpMessage {
    public static final KeepaliveMessage INSTANCE = new KeepaliveMessage();

    @Override
    public int type() {
        return KEEPALIVE;
    }
}
