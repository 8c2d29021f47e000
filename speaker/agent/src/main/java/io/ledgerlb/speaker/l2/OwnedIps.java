package io.ledgerlb.speaker.l2;

import java.net.InetAddress;
import java.util.Collections;
import java.util.Map;
import java.util.Set;

/**
 * The IPs this node answers for, each with the interfaces it answers on (empty: every selected
 * interface). Either a copy, or {@link #view} of the map the announcer changes one IP at a time
 * (a concurrent map: the moment an IP is removed no request for it gets an answer).
 */
public final class OwnedIps {
    public static final OwnedIps NONE = new OwnedIps(Map.of());

    private final Map<InetAddress, Set<String>> interfacesByIp;

    public OwnedIps(Map<InetAddress, Set<String>> interfacesByIp) {
        this.interfacesByIp = Map.copyOf(interfacesByIp);
    }

    private OwnedIps(Map<InetAddress, Set<String>> live, boolean view) {
        this.interfacesByIp = Collections.unmodifiableMap(live);
    }

    /** Reads through to {@code live}, which must be safe to read while it changes. */
    static OwnedIps view(Map<InetAddress, Set<String>> live) {
        return new OwnedIps(live, true);
    }

    public boolean answers(InetAddress ip, String iface) {
        Set<String> interfaces = interfacesByIp.get(ip);
        return interfaces != null && (interfaces.isEmpty() || interfaces.contains(iface));
    }

    public Set<InetAddress> ips() {
        return interfacesByIp.keySet();
    }

    public Map<InetAddress, Set<String>> interfacesByIp() {
        return interfacesByIp;
    }
}
