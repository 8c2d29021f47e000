package io.ledgerlb.speaker.l2;

import java.net.InetAddress;
import java.util.Map;
import java.util.Set;

/**
 * The IPs this node answers for, each with the interfaces it answers on (empty: every selected
 * interface). Immutable: a new value replaces the old one the moment ownership moves.
 */
public record OwnedIps(Map<InetAddress, Set<String>> interfacesByIp) {
    public static final OwnedIps NONE = new OwnedIps(Map.of());

    public OwnedIps {
        interfacesByIp = Map.copyOf(interfacesByIp);
    }

    public boolean answers(InetAddress ip, String iface) {
        Set<String> interfaces = interfacesByIp.get(ip);
        return interfaces != null && (interfaces.isEmpty() || interfaces.contains(iface));
    }

    public Set<InetAddress> ips() {
        return interfacesByIp.keySet();
    }
}
