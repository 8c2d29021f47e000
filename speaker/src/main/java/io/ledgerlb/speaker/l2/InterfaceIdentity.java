package io.ledgerlb.speaker.l2;

import java.net.Inet6Address;

/** What a speaker answers with on one interface: its name, the node's MAC there, and its IPv6 link-local source. */
public record InterfaceIdentity(String name, MacAddress mac, Inet6Address linkLocal) {

    public static InterfaceIdentity of(String name, MacAddress mac) {
        return new InterfaceIdentity(name, mac, Frames.linkLocal(mac));
    }
}
