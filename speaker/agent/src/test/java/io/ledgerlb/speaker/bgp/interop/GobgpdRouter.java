package io.ledgerlb.speaker.bgp.interop;

import com.fasterxml.jackson.databind.JsonNode;
import io.ledgerlb.lab.NetnsLab;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.net.IpText;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * gobgpd 3.x as the router, in the lab's router namespace, its API on a unix socket in the lab's
 * folder. It installs nothing in a forwarding table: a next hop is usable when gobgpd holds the
 * path as valid and the next hop is of the prefix's family on the neighbor's link.
 */
final class GobgpdRouter implements Router {
    private final InteropLab lab;
    private final String target;

    GobgpdRouter(InteropLab lab) throws IOException {
        this.lab = lab;
        Path socket = lab.dir().resolve("gobgpd-router.sock");
        this.target = "unix://" + socket;
        StringBuilder config = new StringBuilder("""
                [global.config]
                  as = %d
                  router-id = "%s"
                [global.use-multiple-paths.config]
                  enabled = true
                """.formatted(SessionKind.ROUTER_AS, lab.routerId().getHostAddress()));
        for (int i = 1; i <= InteropLab.SPEAKERS; i++) {
            for (SessionKind kind : SessionKind.values()) {
                config.append("""
                        [[neighbors]]
                          [neighbors.config]
                            neighbor-address = "%s"
                            peer-as = %d
                          [neighbors.transport.config]
                            local-address = "%s"
                          [neighbors.timers.config]
                            connect-retry = 1
                            hold-time = 9
                            keepalive-interval = 3
                          [[neighbors.afi-safis]]
                            [neighbors.afi-safis.config]
                              afi-safi-name = "ipv4-unicast"
                          [[neighbors.afi-safis]]
                            [neighbors.afi-safis.config]
                              afi-safi-name = "ipv6-unicast"
                        """.formatted(IpText.of(lab.speaker(i, kind)), kind.speakerAs(), IpText.of(lab.router(i, kind.ipv6()))));
            }
        }
        Path file = lab.dir().resolve("gobgpd-router.toml");
        Files.writeString(file, config);
        Process gobgpd = lab.lab.spawn(lab.routerNode, List.of("/usr/bin/gobgpd", "-f", file.toString(), "-p", "--api-hosts", target,
                "--pprof-disable"), "gobgpd-router.log");
        InteropLab.awaitSocket(socket, gobgpd, () -> lab.lab.log("gobgpd-router.log"));
    }

    @Override
    public String name() {
        return "gobgpd";
    }

    private String gobgp(String... arguments) {
        List<String> command = new ArrayList<>(List.of("/usr/bin/gobgp", "--target", target));
        command.addAll(List.of(arguments));
        return NetnsLab.run(command.toArray(String[]::new));
    }

    /** {@code gobgp -j global rib -a <family> <prefix>}: {prefix: [paths]} with attributes by type code. */
    @Override
    public List<RouterPath> paths(IpPrefix prefix) {
        JsonNode answer = Json.read(gobgp("-j", "global", "rib", "-a", prefix.ipv6() ? "ipv6" : "ipv4", prefix.toString()));
        List<RouterPath> paths = new ArrayList<>();
        for (JsonNode path : Json.onlyValue(answer)) {
            if (path.path("withdrawal").asBoolean() || path.path("validation").path("reason").asInt(0) != 0) {
                continue;
            }
            String origin = "";
            StringBuilder asPath = new StringBuilder();
            String nextHop = "0.0.0.0";
            Long localPref = null;
            List<String> communities = new ArrayList<>();
            List<String> large = new ArrayList<>();
            for (JsonNode attribute : path.path("attrs")) {
                switch (attribute.path("type").asInt()) {
                    case 1 -> origin = List.of("IGP", "EGP", "incomplete").get(attribute.path("value").asInt());
                    case 2 -> attribute.path("as_paths").forEach(segment -> segment.path("asns")
                            .forEach(as -> asPath.append(asPath.isEmpty() ? "" : " ").append(as.asLong())));
                    case 3 -> nextHop = attribute.path("nexthop").asText();
                    case 5 -> localPref = attribute.path("value").asLong();
                    case 8 -> attribute.path("communities").forEach(c -> communities.add((c.asLong() >>> 16) + ":" + (c.asLong() & 0xFFFF)));
                    case 14 -> nextHop = attribute.path("nexthop").asText();
                    case 32 -> attribute.path("value").forEach(c -> large.add(c.path("ASN").asLong() + ":"
                            + c.path("LocalData1").asLong() + ":" + c.path("LocalData2").asLong()));
                    default -> { }
                }
            }
            paths.add(new RouterPath(InteropLab.address(path.path("neighbor-ip").asText()), InteropLab.address(nextHop), origin,
                    asPath.toString(), localPref, communities, large));
        }
        return paths;
    }

    /** gobgpd forwards nothing: the next hops of the paths it holds that are of the prefix's family and on a speaker's link. */
    @Override
    public Set<InetAddress> usableNextHops(IpPrefix prefix) {
        Set<InetAddress> usable = new HashSet<>();
        for (RouterPath path : paths(prefix)) {
            for (int i = 1; i <= InteropLab.SPEAKERS; i++) {
                for (SessionKind kind : SessionKind.values()) {
                    if (kind.ipv6() == prefix.ipv6() && lab.speaker(i, kind).equals(path.nextHop())) {
                        usable.add(path.nextHop());
                    }
                }
            }
        }
        return usable;
    }

    @Override
    public boolean established(InetAddress neighbor) {
        JsonNode answer = Json.read(gobgp("-j", "neighbor", IpText.of(neighbor)));
        return answer.path("state").path("session_state").asInt() == 6;
    }

    @Override
    public void close() {
        // the lab stops gobgpd with the other processes it spawned
    }
}
