package io.ledgerlb.lab.demo;

import io.ledgerlb.lab.NetnsLab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** gobgpd as the router: it holds the paths (no zebra here, so it forwards nothing). */
final class GobgpRouter implements Router {
    private static final String GOBGPD = "/usr/bin/gobgpd";
    private static final int API_PORT = 50051;
    /** gobgp's rib lines: "*> 10.99.143.230/32   10.99.121.11   ..."; the next hop is the second column. */
    private static final Pattern NEXT_HOP = Pattern.compile("/32\\s+(\\d+\\.\\d+\\.\\d+\\.\\d+)");

    private final NetnsLab lab;
    private final String ns;
    private final Topology topology;

    GobgpRouter(NetnsLab lab, String name, Topology topology) throws IOException {
        Router.require(GOBGPD, "gobgpd");
        this.lab = lab;
        this.ns = lab.ns(name);
        this.topology = topology;
        StringBuilder neighbors = new StringBuilder();
        for (String node : topology.nodeAddresses()) {
            neighbors.append("""
                    [[neighbors]]
                      [neighbors.config]
                        neighbor-address = "%s"
                        peer-as = %d
                      [neighbors.timers.config]
                        hold-time = %d
                        keepalive-interval = 1
                        connect-retry = 1
                    """.formatted(node, topology.asn(), HOLD_SECONDS));
        }
        Path config = Files.writeString(lab.dir().resolve("gobgpd.toml"), """
                [global.config]
                  as = %d
                  router-id = "%s"
                %s""".formatted(topology.asn(), topology.routerAddress(), neighbors));
        lab.spawn(name, List.of(GOBGPD, "-f", config.toString(), "-p", "--api-hosts", "127.0.0.1:" + API_PORT,
                "--pprof-disable"), "gobgpd.log");
        Waits.until("gobgpd to start", () -> lab.exec(name, "gobgp", "global").ok(), 20,
                () -> lab.log("gobgpd.log"));
    }

    private Shown gobgp(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("ip", "netns", "exec", ns, "gobgp"));
        command.addAll(List.of(args));
        String output = NetnsLab.run(command.toArray(String[]::new));
        return new Shown(String.join(" ", command), output);
    }

    @Override
    public Shown summary() {
        return gobgp("neighbor");
    }

    @Override
    public Shown route(String ip) {
        return gobgp("global", "rib", "-a", "ipv4");
    }

    @Override
    public Set<String> nextHops(String ip) {
        Shown rib = route(ip);
        String lines = String.join("\n", rib.output().lines().filter(l -> l.contains(ip + "/32")).toList());
        return new Shown(rib.command(), lines).nextHops(topology.nodeAddresses(), NEXT_HOP);
    }

    @Override
    public String cliHint() {
        return "gobgp global rib -a ipv4";
    }

    @Override
    public boolean installsRoutes() {
        return false;
    }

    @Override
    public void close() {
        // its process and namespace go with the lab
    }
}
