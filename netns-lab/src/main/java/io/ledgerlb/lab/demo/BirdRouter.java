package io.ledgerlb.lab.demo;

import io.ledgerlb.lab.NetnsLab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** BIRD 2, one iBGP protocol per node, ECMP into the router's kernel table. */
final class BirdRouter implements Router {
    private static final String BIRD = "/usr/sbin/bird";
    /** BIRD prints each path's gateway as "via 10.99.121.11 on eth0". */
    private static final Pattern VIA = Pattern.compile("via (\\d+\\.\\d+\\.\\d+\\.\\d+) on");

    private final String ns;
    private final Topology topology;
    private final Path socket;

    BirdRouter(NetnsLab lab, String name, Topology topology) throws IOException {
        Router.require(BIRD, "bird2");
        this.ns = lab.ns(name);
        this.topology = topology;
        this.socket = lab.dir().resolve("bird.ctl");
        StringBuilder protocols = new StringBuilder();
        for (int i = 0; i < topology.nodeAddresses().size(); i++) {
            protocols.append("""
                    protocol bgp %s from nodes { neighbor %s as %d; }
                    """.formatted(topology.nodeName(i), topology.nodeAddresses().get(i), topology.asn()));
        }
        Path config = Files.writeString(lab.dir().resolve("bird.conf"), """
                router id %s;
                protocol device { scan time 1; }
                protocol kernel { ipv4 { export all; }; merge paths on; }
                template bgp nodes {
                  local %s as %d;
                  direct;
                  hold time %d;
                  keepalive time 1;
                  connect retry time 1;
                  ipv4 { import all; export none; };
                }
                %s
                """.formatted(topology.routerAddress(), topology.routerAddress(), topology.asn(), HOLD_SECONDS, protocols));
        lab.spawn(name, List.of(BIRD, "-f", "-c", config.toString(), "-s", socket.toString()), "bird.log");
        Waits.until("BIRD to start", () -> Files.exists(socket), 20, () -> lab.log("bird.log"));
    }

    private Shown birdc(String command) {
        // birdc exits non-zero for "Network not found": that is an answer too
        String output = NetnsLab.execute(List.of("birdc", "-s", socket.toString(), command)).output();
        return new Shown("ip netns exec " + ns + " birdc " + command, output);
    }

    @Override
    public Shown summary() {
        return birdc("show protocols");
    }

    @Override
    public Shown route(String ip) {
        return birdc("show route all " + ip + "/32");
    }

    @Override
    public Set<String> nextHops(String ip) {
        return route(ip).nextHops(topology.nodeAddresses(), VIA);
    }

    @Override
    public String cliHint() {
        return "birdc -s " + socket + " show route all";
    }

    @Override
    public boolean installsRoutes() {
        return true;
    }

    @Override
    public void close() {
        // its process and namespace go with the lab
    }
}
