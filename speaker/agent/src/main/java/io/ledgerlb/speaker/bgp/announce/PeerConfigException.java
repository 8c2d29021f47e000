package io.ledgerlb.speaker.bgp.announce;

/**
 * Why this node opens no session for a BGPPeer. {@link #reason} is one word for Events and
 * conditions ({@code PasswordSecretNotFound}, {@code InvalidRouterID}, ...), the message says what
 * is wrong and what to do. {@link #everyNode} tells a problem every speaker finds alike (it comes
 * from the BGPPeer's spec or its Secret) from one of this node alone (its addresses, its API access).
 */
public final class PeerConfigException extends IllegalArgumentException {
    private final String reason;
    private final boolean everyNode;

    private PeerConfigException(String reason, boolean everyNode, String message) {
        super(message);
        this.reason = reason;
        this.everyNode = everyNode;
    }

    /** A problem of the BGPPeer itself or of its Secret: every node finds the same. */
    public static PeerConfigException everyNode(String reason, String message) {
        return new PeerConfigException(reason, true, message);
    }

    /** A problem of this node only. */
    public static PeerConfigException thisNode(String reason, String message) {
        return new PeerConfigException(reason, false, message);
    }

    public String reason() {
        return reason;
    }

    public boolean everyNode() {
        return everyNode;
    }
}
