package io.ledgerlb.speaker.bgp;

import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpFamily;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The next hops a session announces: its own local address for its family, and for the other
 * family an address of the same interface. A family without one is not announced on the session:
 * an IPv4 or IPv4-mapped next hop for an IPv6 prefix is one routers refuse (BIRD: "mismatched
 * address family") or never install (FRR: RIB-failure).
 */
public record NextHops(Optional<IpAddress> ipv4, Optional<IpAddress> ipv6) {
    public static final NextHops NONE = new NextHops(Optional.empty(), Optional.empty());

    public NextHops {
        if (ipv4.isPresent() && ipv4.get().family() != IpFamily.V4) {
            throw new IllegalArgumentException("the IPv4 next hop must be an IPv4 address: " + ipv4.get());
        }
        if (ipv6.isPresent() && ipv6.get().family() != IpFamily.V6) {
            throw new IllegalArgumentException("the IPv6 next hop must be an IPv6 address: " + ipv6.get());
        }
    }

    /**
     * The next hops of a session whose local address is {@code local}: that address for its own
     * family; IPv6 over an IPv4 session takes a global IPv6 address of the same interface, IPv4
     * over an IPv6 session an IPv4 address of it (none found: that family is not announced).
     */
    public static NextHops ofInterfaceWith(InetAddress local) {
        List<InetAddress> same = List.of();
        try {
            NetworkInterface nif = NetworkInterface.getByInetAddress(local);
            if (nif != null) {
                same = Collections.list(nif.getInetAddresses());
            }
        } catch (SocketException e) {
            // no interface information: only the session's own family
        }
        Optional<InetAddress> v4 = local instanceof Inet4Address ? Optional.of(local)
                : same.stream().filter(Inet4Address.class::isInstance).findFirst();
        Optional<InetAddress> v6 = local instanceof Inet6Address ? Optional.of(local)
                : same.stream().filter(a -> a instanceof Inet6Address && !a.isLinkLocalAddress() && !a.isLoopbackAddress())
                        .findFirst();
        return new NextHops(v4.map(IpAddress::of), v6.map(IpAddress::of)); // IpAddress drops an IPv6 scope
    }
}
