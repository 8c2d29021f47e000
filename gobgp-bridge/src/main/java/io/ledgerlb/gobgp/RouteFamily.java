package io.ledgerlb.gobgp;

import io.ledgerlb.gobgp.api.Family;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpFamily;
import io.ledgerlb.net.IpPrefix;

import java.net.Inet6Address;
import java.net.InetAddress;

/** The two route families the bridge announces. */
public enum RouteFamily {
    IPV4_UNICAST(Family.Afi.AFI_IP),
    IPV6_UNICAST(Family.Afi.AFI_IP6);

    private final Family api;

    RouteFamily(Family.Afi afi) {
        this.api = Family.newBuilder().setAfi(afi).setSafi(Family.Safi.SAFI_UNICAST).build();
    }

    public Family api() {
        return api;
    }

    public static RouteFamily of(IpPrefix prefix) {
        return prefix.ipv6() ? IPV6_UNICAST : IPV4_UNICAST;
    }

    public static RouteFamily of(IpAddress address) {
        return address.family() == IpFamily.V6 ? IPV6_UNICAST : IPV4_UNICAST;
    }

    public static RouteFamily of(InetAddress address) {
        return address instanceof Inet6Address ? IPV6_UNICAST : IPV4_UNICAST;
    }
}
