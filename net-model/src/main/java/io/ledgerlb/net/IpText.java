package io.ledgerlb.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * An address as people and other tools write it: RFC 5952's form for IPv6 ({@code 2001:db8::10},
 * {@code ::}), where Java's {@link InetAddress#getHostAddress()} writes every group
 * ({@code 2001:db8:0:0:0:0:0:10}). The one formatter: {@link IpAddress#toString()} writes with it
 * too. For the ledger, logs, metric labels and messages.
 */
public final class IpText {

    private IpText() {
    }

    /** The address in canonical text; an IPv6 scope ({@code %eth0}) is kept. */
    public static String of(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        IpAddress ip = IpAddress.of(address);
        String text = v6(ip.hi(), ip.lo());
        String full = address.getHostAddress();
        int scope = full.indexOf('%');
        return scope < 0 ? text : text + full.substring(scope);
    }

    static String v4(long v) {
        byte[] text = new byte[15];
        int length = 0;
        for (int shift = 24; shift >= 0; shift -= 8) {
            int octet = (int) (v >>> shift) & 0xFF;
            if (octet >= 100) {
                text[length++] = (byte) ('0' + octet / 100);
            }
            if (octet >= 10) {
                text[length++] = (byte) ('0' + octet / 10 % 10);
            }
            text[length++] = (byte) ('0' + octet % 10);
            if (shift > 0) {
                text[length++] = '.';
            }
        }
        return new String(text, 0, length, StandardCharsets.ISO_8859_1);
    }

    static String v6(long hi, long lo) {
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (hi >>> (48 - 16 * i)) & 0xFFFF;
            g[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xFFFF;
        }
        // RFC 5952: the first longest run of two or more zero groups becomes "::"
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLength - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }
}
