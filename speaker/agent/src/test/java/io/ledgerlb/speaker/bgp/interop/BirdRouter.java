package io.ledgerlb.speaker.bgp.interop;

import io.ledgerlb.lab.NetnsLab;
import io.ledgerlb.net.IpPrefix;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * BIRD 2 in the lab's router namespace, one BGP protocol per speaker address, routes exported to
 * the namespace's kernel table with ECMP ({@code merge paths}), so "usable" means installed there.
 */
final class BirdRouter implements Router {
    private final InteropLab lab;
    private final Path socket;
    private final Map<String, InetAddress> protocols = new HashMap<>();

    BirdRouter(InteropLab lab) throws IOException {
        this(lab, Map.of());
    }

    /** With a TCP MD5 password ({@code password "K"}) for each neighbor in {@code passwords}. */
    BirdRouter(InteropLab lab, Map<InetAddress, String> passwords) throws IOException {
        this.lab = lab;
        this.socket = lab.dir().resolve("bird.ctl");
        StringBuilder config = new StringBuilder("""
                router id %s;
                log "%s" all;
                protocol device { scan time 1; }
                protocol kernel { ipv4 { export all; }; merge paths on; }
                protocol kernel { ipv6 { export all; }; merge paths on; }
                template bgp speakers {
                  local as %d; hold time 9; connect retry time 1; error wait time 1, 2; connect delay time 1;
                  ipv4 { import all; export none; gateway direct; };
                  ipv6 { import all; export none; gateway direct; };
                }
                """.formatted(lab.routerId().getHostAddress(), lab.dir().resolve("bird.log"), SessionKind.ROUTER_AS));
        for (int i = 1; i <= InteropLab.SPEAKERS; i++) {
            for (SessionKind kind : SessionKind.values()) {
                String name = "s" + i + "_" + kind.name().toLowerCase();
                InetAddress neighbor = lab.speaker(i, kind);
                protocols.put(name, neighbor);
                config.append("protocol bgp ").append(name).append(" from speakers {\n  source address ")
                        .append(lab.router(i, kind.ipv6()).getHostAddress()).append("; neighbor ").append(neighbor.getHostAddress())
                        .append(" as ").append(kind.speakerAs()).append(kind.ibgp() ? "; direct;\n" : ";\n");
                if (passwords.containsKey(neighbor)) {
                    config.append("  password \"").append(passwords.get(neighbor)).append("\";\n");
                }
                config.append("}\n");
            }
        }
        Path file = lab.dir().resolve("bird.conf");
        Files.writeString(file, config);
        Process bird = lab.lab.spawn(lab.routerNode, List.of("/usr/sbin/bird", "-f", "-c", file.toString(), "-s", socket.toString()), "bird.out");
        InteropLab.awaitSocket(socket, bird, () -> lab.lab.log("bird.out"));
    }

    @Override
    public String name() {
        return "BIRD";
    }

    String birdc(String command) {
        return NetnsLab.run("/usr/sbin/birdc", "-s", socket.toString(), command);
    }

    /**
     * {@code show route <prefix> all}: each route starts with a line holding "unicast [protocol
     * ...", its attributes follow as "BGP.name: value" lines.
     */
    @Override
    public List<RouterPath> paths(IpPrefix prefix) {
        String out;
        try {
            out = birdc("show route " + prefix + " all");
        } catch (IllegalStateException e) {
            if (e.getMessage().contains("Network not found")) {
                return List.of();
            }
            throw e;
        }
        List<RouterPath> paths = new ArrayList<>();
        Map<String, String> route = null;
        for (String line : (out + "\nunicast [end").split("\n")) {
            int start = line.indexOf("unicast [");
            if (start >= 0) {
                if (route != null) {
                    paths.add(path(route));
                }
                route = new HashMap<>();
                route.put("protocol", line.substring(start + 9).split("[\\s\\]]")[0]);
            } else if (route != null && line.trim().startsWith("BGP.")) {
                String text = line.trim(); // "BGP.as_path:" alone when empty (iBGP)
                route.put(text.substring(0, text.indexOf(':')), text.substring(text.indexOf(':') + 1).trim());
            }
        }
        return paths;
    }

    private RouterPath path(Map<String, String> route) {
        String localPref = route.get("BGP.local_pref");
        return new RouterPath(protocols.get(route.get("protocol")),
                InteropLab.address(route.getOrDefault("BGP.next_hop", "0.0.0.0").split(" ")[0]),
                route.getOrDefault("BGP.origin", "").replace("Incomplete", "incomplete"), route.getOrDefault("BGP.as_path", ""),
                localPref == null ? null : Long.parseLong(localPref),
                pairs(route.getOrDefault("BGP.community", ""), ","), pairs(route.getOrDefault("BGP.large_community", ""), ", "));
    }

    /** "(64500,71) (65000,1)" → ["64500:71", "65000:1"]; large: "(64500, 7, 1)" → ["64500:7:1"]. */
    private static List<String> pairs(String text, String separator) {
        List<String> values = new ArrayList<>();
        for (String group : text.split("\\)")) {
            String inner = group.replace("(", "").trim();
            if (!inner.isEmpty()) {
                values.add(String.join(":", inner.split(separator.trim() + "\\s*")));
            }
        }
        return values;
    }

    @Override
    public Set<InetAddress> usableNextHops(IpPrefix prefix) {
        return lab.kernelNextHops(prefix);
    }

    @Override
    public boolean established(InetAddress neighbor) {
        return protocols.entrySet().stream().filter(e -> e.getValue().equals(neighbor)).findFirst()
                .map(e -> birdc("show protocols " + e.getKey()).contains("Established")).orElse(false);
    }

    @Override
    public void close() {
        // the lab stops BIRD with the other processes it spawned
    }
}
