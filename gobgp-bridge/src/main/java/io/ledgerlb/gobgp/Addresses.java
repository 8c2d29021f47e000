package io.ledgerlb.gobgp;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Address literals as gobgpd reads and writes them. */
public final class Addresses {

    private Addresses() {
    }

    /** Parses an IPv4 or IPv6 literal; refuses anything that would need a DNS lookup. */
    public static InetAddress parse(String literal) {
        if (literal == null || !literal.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("not an IP address: '" + literal + "'");
        }
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: '" + literal + "'", e);
        }
    }

    /** The literal gobgpd accepts (Java's own form; gobgpd parses it like any other). */
    public static String text(InetAddress address) {
        return address.getHostAddress();
    }

    public static boolean unspecified(InetAddress address) {
        return address.isAnyLocalAddress();
    }
}
