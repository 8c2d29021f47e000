package io.ledgerlb.speaker.bgp.fsm;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Optional;

/**
 * The next hops a session announces: its own local address for its family, and for the other
 * family an address of the same interface (IPv6 over an IPv4 session: a global IPv6 address of
 * the interface, else the IPv4-mapped form of the local address).
 */
public record NextHops(Optional<Inet4Address> ipv4, Optional<InetAddress> ipv6) {
}
