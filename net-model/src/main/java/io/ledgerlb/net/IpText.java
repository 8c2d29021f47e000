package io.ledgerlb.net;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * An address as people and other tools write it: RFC 5952's form for IPv6 ({@code 2001:db8::10},
 * {@code ::}), where Java's {@link InetAddress#getHostAddress()} writes every group
 * ({@code 2001:db8:0:0:0:0:0:10}). For logs, metric labels and messages.
 */
public final class IpText {

    private IpText() {
    }

    public static String of(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        byte[] bytes = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (bytes[2 * i] & 0xff) << 8 | bytes[2 * i + 1] & 0xff;
        }
        // the longest run of two or more zero groups (the first of equals) becomes "::"
        int runStart = -1;
        int runLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > runLength) {
                runStart = i;
                runLength = j - i;
            }
            i = Math.max(j, i + 1);
        }
        StringBuilder out = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == runStart) {
                out.append("::");
                i += runLength - 1;
                continue;
            }
            if (!out.isEmpty() && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        String full = address.getHostAddress();
        int scope = full.indexOf('%');
        return scope < 0 ? out.toString() : out.append(full, scope, full.length()).toString();
    }
}
