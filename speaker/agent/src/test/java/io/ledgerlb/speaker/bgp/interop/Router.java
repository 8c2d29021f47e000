package io.ledgerlb.speaker.bgp.interop;

import io.ledgerlb.net.IpPrefix;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;

/** A real router daemon in an {@link InteropLab}, peering with every speaker address of every {@link SessionKind}. */
interface Router extends AutoCloseable {

    String name();

    /** The BGP paths it holds for the prefix (after its import checks: refused paths are not there). */
    List<RouterPath> paths(IpPrefix prefix);

    /**
     * The next hops through which the prefix is usable: installed in the forwarding table (the
     * kernel's, in the router's namespace) where the router has one, else the next hops it
     * resolves. Empty: not installed.
     */
    Set<InetAddress> usableNextHops(IpPrefix prefix);

    /** True when the neighbor's session is Established. */
    boolean established(InetAddress neighbor);

    @Override
    void close();
}
