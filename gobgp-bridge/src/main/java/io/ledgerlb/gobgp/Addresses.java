package io.ledgerlb.gobgp;

import java.net.InetAddress;

/** Address literals as gobgpd reads and writes them. */
public final class Addresses {

    private Addresses() {
    }

    /** The literal gobgpd accepts (Java's own form; gobgpd parses it like any other). */
    public static String text(InetAddress address) {
        return address.getHostAddress();
    }

    public static boolean unspecified(InetAddress address) {
        return address.isAnyLocalAddress();
    }
}
