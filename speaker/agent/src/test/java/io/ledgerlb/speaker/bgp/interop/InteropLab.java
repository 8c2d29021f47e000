package io.ledgerlb.speaker.bgp.interop;

import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.speaker.bgp.nativ.NetnsLab;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import com.fasterxml.jackson.databind.JsonNode;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Three speakers and one router: a router namespace joined to the test JVM's own namespace (see
 * {@link NetnsLab}) by one veth pair per speaker, as three nodes each on a link of its own.
 * On link i (1..3), subnet 10.99.N.16i/28 and fd00:99:N:i::/64: the router is .14 / ::e, the
 * speaker has one address per {@link SessionKind} (.1 / ::1 for iBGP, .2 / ::2 for eBGP), so one
 * router configuration holds the neighbors of every kind and the lab serves every cell.
 * Everything it makes is removed by {@link #close}.
 */
final class InteropLab implements AutoCloseable {
    static final int SPEAKERS = 3;

    final io.ledgerlb.lab.NetnsLab lab;
    final String routerNode = "r";
    private final int subnet;
    private final List<String> hostLinks = new ArrayList<>();

    InteropLab() throws IOException {
        lab = new io.ledgerlb.lab.NetnsLab();
        subnet = Integer.parseInt(lab.id().substring(0, 2), 16) % 250 + 1;
        try {
            lab.addNamespace(routerNode);
            for (int i = 1; i <= SPEAKERS; i++) {
                String hostLink = "llb" + lab.id() + "s" + i;
                NetnsLab.run("ip", "link", "add", hostLink, "type", "veth", "peer", "name", "r" + i, "netns", lab.ns(routerNode));
                hostLinks.add(hostLink);
                for (SessionKind kind : SessionKind.values()) {
                    String speaker = speaker(i, kind).getHostAddress();
                    if (kind.ipv6()) {
                        NetnsLab.run("ip", "-6", "addr", "add", speaker + "/64", "dev", hostLink, "nodad");
                    } else {
                        NetnsLab.run("ip", "addr", "add", speaker + "/28", "dev", hostLink);
                    }
                }
                NetnsLab.run("ip", "link", "set", hostLink, "up");
                lab.address(routerNode, "r" + i, router(i, false).getHostAddress() + "/28", router(i, true).getHostAddress() + "/64");
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Speaker {@code i}'s address for sessions of this kind. */
    InetAddress speaker(int i, SessionKind kind) {
        String host = kind.ibgp() ? "1" : "2";
        return address(kind.ipv6() ? "fd00:99:" + Integer.toHexString(subnet) + ":" + i + "::" + host
                : "10.99." + subnet + "." + (16 * i + Integer.parseInt(host)));
    }

    /**
     * A BGPPeer of this kind as speaker {@code i} sees it: the router's address on its link, bound
     * to its own; short timers; {@code dualStackAddressFamily: true}, so that the session carries
     * the other family too.
     */
    BgpPeerConfig peer(int i, SessionKind kind) {
        return new BgpPeerConfig("router-" + kind.name().toLowerCase(), kind.speakerAs(), SessionKind.ROUTER_AS,
                router(i, kind.ipv6()), 179, Optional.of(speaker(i, kind)), Duration.ofSeconds(9), Duration.ZERO,
                Duration.ofSeconds(1), speaker(i, SessionKind.IBGP_IPV4), false, false, Optional.empty(), 0, true);
    }

    /** The router's address on speaker {@code i}'s link. */
    InetAddress router(int i, boolean ipv6) {
        return address(ipv6 ? "fd00:99:" + Integer.toHexString(subnet) + ":" + i + "::e" : "10.99." + subnet + "." + (16 * i + 14));
    }

    /** The router's BGP identifier. */
    InetAddress routerId() {
        return router(1, false);
    }

    Path dir() {
        return lab.dir();
    }

    /** Runs a command in the router's namespace; fails with its output. */
    String inRouter(String... command) {
        io.ledgerlb.lab.NetnsLab.Result result = lab.exec(routerNode, command);
        if (!result.ok()) {
            throw new IllegalStateException(String.join(" ", command) + ": " + result.output());
        }
        return result.output();
    }

    /** The gateways of the prefix's route in the router namespace's kernel table (all of them for ECMP); empty: no route. */
    Set<InetAddress> kernelNextHops(IpPrefix prefix) {
        String json = inRouter("ip", prefix.ipv6() ? "-6" : "-4", "-j", "route", "show", "exact", prefix.toString());
        Set<InetAddress> gateways = new HashSet<>();
        for (JsonNode route : Json.read(json)) {
            if (route.has("gateway")) {
                gateways.add(address(route.get("gateway").asText()));
            }
            route.path("nexthops").forEach(hop -> gateways.add(address(hop.get("gateway").asText())));
        }
        return gateways;
    }

    /** Waits (at most 15 s) for a daemon's socket to appear; fails with its log when the daemon died or took too long. */
    static void awaitSocket(Path socket, Process daemon, java.util.function.Supplier<String> log) throws IOException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!Files.exists(socket)) {
            if (!daemon.isAlive() || System.nanoTime() > deadline) {
                throw new IOException(socket.getFileName() + " did not appear: " + log.get());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
    }

    static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (String link : hostLinks) {
            try {
                NetnsLab.run("ip", "link", "del", link);
            } catch (IOException e) {
                // gone with the namespace
            }
        }
        lab.close();
    }
}
