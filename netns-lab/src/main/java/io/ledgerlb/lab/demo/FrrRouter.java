package io.ledgerlb.lab.demo;

import io.ledgerlb.lab.NetnsLab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** FRR (zebra + bfdd + bgpd, no systemd): the router most MetalLB users peer with. */
final class FrrRouter implements Router {
    private static final Path DAEMONS = Path.of("/usr/lib/frr");
    /** "via 10.99.121.11" in {@code show ip route bgp}: one line per next hop of an ECMP route. */
    private static final Pattern VIA = Pattern.compile("via (\\d+\\.\\d+\\.\\d+\\.\\d+)");

    private final NetnsLab lab;
    private final String ns;
    private final Topology topology;
    private final Path dir;

    FrrRouter(NetnsLab lab, String name, Topology topology) throws IOException {
        Router.require(DAEMONS.resolve("bgpd").toString(), "frr");
        this.lab = lab;
        this.ns = lab.ns(name);
        this.topology = topology;
        this.dir = lab.dir().resolve("frr");
        Files.createDirectories(dir);
        // the daemons drop to the frr user: it must reach its folder
        Files.setPosixFilePermissions(lab.dir(), PosixFilePermissions.fromString("rwx--x--x"));
        StringBuilder neighbors = new StringBuilder();
        for (String node : topology.nodeAddresses()) {
            neighbors.append(" neighbor ").append(node).append(" peer-group nodes\n");
        }
        Path zebraConf = Files.writeString(dir.resolve("zebra.conf"), "hostname R1\n");
        Path bgpdConf = Files.writeString(dir.resolve("bgpd.conf"), """
                frr defaults traditional
                hostname R1
                router bgp %d
                 bgp router-id %s
                 no bgp ebgp-requires-policy
                 neighbor nodes peer-group
                 neighbor nodes remote-as %d
                 neighbor nodes timers 1 %d
                 neighbor nodes timers connect 1
                %s address-family ipv4 unicast
                  maximum-paths ibgp 8
                 exit-address-family
                """.formatted(topology.asn(), topology.routerAddress(), topology.asn(), HOLD_SECONDS, neighbors));
        Files.writeString(dir.resolve("bfdd.conf"), "hostname R1\n");
        NetnsLab.run("chown", "-R", "frr:frr", dir.toString());
        String zserv = dir.resolve("zserv.api").toString();
        lab.spawn(name, List.of(DAEMONS.resolve("zebra").toString(), "-f", zebraConf.toString(),
                "-i", dir.resolve("zebra.pid").toString(), "-z", zserv, "--vty_socket", dir.toString()), "zebra.log");
        Waits.until("zebra to start", () -> Files.exists(dir.resolve("zserv.api")), 20, () -> lab.log("zebra.log"));
        // bfdd too, so that a BGPPeer with a bfdProfile can be tried: `neighbor nodes bfd` in vtysh
        Path bfddConf = dir.resolve("bfdd.conf");
        lab.spawn(name, List.of(DAEMONS.resolve("bfdd").toString(), "-f", bfddConf.toString(),
                "-i", dir.resolve("bfdd.pid").toString(), "-z", zserv,
                "--vty_socket", dir.toString(), "--bfdctl", dir.resolve("bfdd.sock").toString()), "bfdd.log");
        lab.spawn(name, List.of(DAEMONS.resolve("bgpd").toString(), "-f", bgpdConf.toString(),
                "-i", dir.resolve("bgpd.pid").toString(), "-z", zserv, "--vty_socket", dir.toString()), "bgpd.log");
        Waits.until("bgpd to start", () -> Files.exists(dir.resolve("bgpd.vty")), 20, () -> lab.log("bgpd.log"));
    }

    private Shown vtysh(String command) {
        String output = NetnsLab.run("vtysh", "--vty_socket", dir.toString(), "-c", command);
        return new Shown("ip netns exec " + ns + " vtysh -c '" + command + "'", output);
    }

    @Override
    public Shown summary() {
        return vtysh("show ip bgp summary");
    }

    @Override
    public Shown route(String ip) {
        return vtysh("show ip route bgp");
    }

    @Override
    public Set<String> nextHops(String ip) {
        // the route's first line names the prefix, its other next hops follow on indented lines
        StringBuilder entry = new StringBuilder();
        boolean in = false;
        for (String line : route(ip).output().split("\n")) {
            if (line.contains(" " + ip + "/32 ")) {
                in = true;
            } else if (in && !line.startsWith(" ")) {
                in = false;
            }
            if (in) {
                entry.append(line).append('\n');
            }
        }
        return new Shown("", entry.toString()).nextHops(topology.nodeAddresses(), VIA);
    }

    @Override
    public String cliHint() {
        return "vtysh --vty_socket " + dir + " -c 'show ip route bgp' -c 'show ip bgp summary'";
    }

    @Override
    public boolean installsRoutes() {
        return true;
    }

    @Override
    public void close() {
        // its processes and namespace go with the lab
    }
}
