package io.ledgerlb.lab.demo;

import io.ledgerlb.lab.NetnsLab;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The article's router R1: a real BGP daemon in the router namespace that accepts the speakers
 * of every node as iBGP neighbors (AS 64500 on both sides) and installs what they announce.
 */
interface Router extends AutoCloseable {
    /** The hold time the router offers: a killed node's paths go within it (BFD would make it shorter). */
    int HOLD_SECONDS = 3;

    static Router start(String kind, NetnsLab lab, String name, Topology topology) throws IOException {
        return switch (kind) {
            case "frr" -> new FrrRouter(lab, name, topology);
            case "bird" -> new BirdRouter(lab, name, topology);
            case "gobgp" -> new GobgpRouter(lab, name, topology);
            default -> throw new IllegalArgumentException("unknown router " + kind + " (frr, bird or gobgp)");
        };
    }

    /** The article's "show ip bgp summary": the neighbors and their state, as the daemon's CLI prints it. */
    Shown summary();

    /** The daemon's view of the route for {@code ip}, as its CLI prints it. */
    Shown route(String ip);

    /** What a user types to ask the router (for --keep). */
    String cliHint();

    /** Whether the router forwards traffic for the routes it learned (its daemon installs them in the kernel). */
    boolean installsRoutes();

    @Override
    void close();

    /** A command as a user would type it and what it printed. */
    record Shown(String command, String output) {
        /** The node addresses that appear as next hops in the output (on lines that name a next hop). */
        Set<String> nextHops(List<String> nodeAddresses, Pattern nextHopLine) {
            Set<String> hops = new TreeSet<>();
            for (String line : output.split("\n")) {
                Matcher m = nextHopLine.matcher(line);
                while (m.find()) {
                    if (nodeAddresses.contains(m.group(1))) {
                        hops.add(m.group(1));
                    }
                }
            }
            return hops;
        }
    }

    /** The next hops the router holds for {@code ip}. */
    Set<String> nextHops(String ip);

    /** One check a daemon needs before it starts. */
    static void require(String binary, String what) {
        if (!new java.io.File(binary).canExecute()) {
            throw new IllegalStateException(binary + " is missing: install " + what + " (.ci/install-deps)");
        }
    }
}
