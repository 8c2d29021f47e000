package io.ledgerlb.speaker.bgp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The next hops a session announces: its own local address for its family, and for the other
 * family an address of the same interface. A family without one is not announced on the session:
 * an IPv4 or IPv4-mapped next hop for an IPv6 prefix is one routers refuse (BIRD: "mismatched
 * address family") or never install (FRR: RIB-failure).
 */
public record NextHops(Optional<Inet4Address> ipv4, Optional<InetAddress> ipv6) {

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
        Optional<Inet4Address> v4 = local instanceof Inet4Address a ? Optional.of(a)
                : same.stream().filter(Inet4Address.class::isInstance).map(Inet4Address.class::cast).findFirst();
        Optional<InetAddress> v6 = local instanceof Inet6Address ? Optional.of(local)
                : same.stream().filter(a -> a instanceof Inet6Address && !a.isLinkLocalAddress() && !a.isLoopbackAddress())
                        .findFirst();
        return new NextHops(v4, v6.map(NextHops::withoutScope));
    }

    private static InetAddress withoutScope(InetAddress address) {
        try {
            return Inet6Address.getByAddress(null, address.getAddress(), -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
