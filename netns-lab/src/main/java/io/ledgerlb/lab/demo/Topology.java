package io.ledgerlb.lab.demo;

import java.util.List;

/**
 * The article's network in 10.99.0.0/16: the nodes and the router on one LAN (the article's
 * 192.168.121.0/24, the router at .10), the client on the service network (its 192.168.143.0/24,
 * the client at .1) on the same bridge, and the pool the article hands out (.230-.250).
 */
record Topology(int asn, String routerAddress, List<String> nodeAddresses, String clientAddress, String pool) {
    static final String NODES_PREFIX = "10.99.121.";
    static final String SERVICE_NET = "10.99.143.0/24";

    static Topology article(int nodes) {
        List<String> addresses = java.util.stream.IntStream.rangeClosed(1, nodes).mapToObj(i -> NODES_PREFIX + (10 + i)).toList();
        return new Topology(64500, NODES_PREFIX + "10", addresses, "10.99.143.1", "10.99.143.230-10.99.143.250");
    }

    String nodeName(int index) {
        return "node" + (index + 1);
    }

    /** Distinct MACs per node (52:54:00, as the article's libvirt nodes), so the ARP answer names its node. */
    String nodeMac(int index) {
        return String.format("52:54:00:00:00:%02x", 0x11 + index);
    }
}
