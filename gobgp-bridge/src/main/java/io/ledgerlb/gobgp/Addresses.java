package io.ledgerlb.gobgp;

import io.ledgerlb.net.IpText;
import java.net.InetAddress;

/** Address literals as gobgpd reads and writes them. */
public final class Addresses {

    private Addresses() {
    }

    /**
     * The literal gobgpd keeps, in RFC 5952's form. gobgpd stores a neighbor under the text it was
     * given and matches an incoming connection by the text Go writes for its source (RFC 5952), so
     * an IPv6 neighbor given in Java's long form ({@code fd00:0:0:0:0:0:0:1}) never got a session
     * that the peer opened: "Can't find configuration for a new passive connection".
     */
    public static String text(InetAddress address) {
        return IpText.of(address);
    }

    public static boolean unspecified(InetAddress address) {
        return address.isAnyLocalAddress();
    }
}
