package io.ledgerlb.speaker.bgp.interop;

import com.fasterxml.jackson.databind.JsonNode;
import io.ledgerlb.lab.NetnsLab;
import io.ledgerlb.net.IpPrefix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * FRR 8.4 (Debian's) in the lab's router namespace: zebra and bgpd started by hand as the
 * daemons' own packaging would, each with its own config, pid file, zebra socket and vty socket
 * folder under the lab's folder, so that it runs beside any other test. ECMP over up to 8 paths
 * for iBGP and eBGP; zebra installs the routes in the namespace's kernel table.
 */
final class FrrRouter implements Router {
    static final String ZEBRA = "/usr/lib/frr/zebra";
    static final String BGPD = "/usr/lib/frr/bgpd";
    static final String VTYSH = "/usr/bin/vtysh";

    private final InteropLab lab;
    private final Path dir;

    FrrRouter(InteropLab lab) throws IOException {
        this(lab, Map.of());
    }

    /** With a TCP MD5 password ({@code neighbor X password K}) for each neighbor in {@code passwords}. */
    FrrRouter(InteropLab lab, Map<InetAddress, String> passwords) throws IOException {
        this.lab = lab;
        this.dir = lab.dir().resolve("frr");
        Files.createDirectories(dir);
        StringBuilder neighbors = new StringBuilder();
        StringBuilder v4 = new StringBuilder();
        StringBuilder v6 = new StringBuilder();
        for (int i = 1; i <= InteropLab.SPEAKERS; i++) {
            for (SessionKind kind : SessionKind.values()) {
                String n = lab.speaker(i, kind).getHostAddress();
                neighbors.append(" neighbor ").append(n).append(" remote-as ").append(kind.speakerAs()).append('\n')
                        .append(" neighbor ").append(n).append(" timers 3 9\n")
                        .append(" neighbor ").append(n).append(" timers connect 1\n");
                if (passwords.containsKey(lab.speaker(i, kind))) {
                    neighbors.append(" neighbor ").append(n).append(" password ").append(passwords.get(lab.speaker(i, kind))).append('\n');
                }
                v4.append("  neighbor ").append(n).append(" activate\n");
                v6.append("  neighbor ").append(n).append(" activate\n");
            }
        }
        Files.writeString(dir.resolve("zebra.conf"), "hostname r\nlog file " + dir.resolve("zebra.log") + "\n");
        Files.writeString(dir.resolve("bgpd.conf"), """
                hostname r
                log file %s
                router bgp %d
                 bgp router-id %s
                 no bgp ebgp-requires-policy
                 no bgp default ipv4-unicast
                 bgp bestpath as-path multipath-relax
                %s address-family ipv4 unicast
                  maximum-paths 8
                  maximum-paths ibgp 8
                %s exit-address-family
                 address-family ipv6 unicast
                  maximum-paths 8
                  maximum-paths ibgp 8
                %s exit-address-family
                """.formatted(dir.resolve("bgpd.log"), SessionKind.ROUTER_AS, lab.routerId().getHostAddress(), neighbors, v4, v6));
        // the daemons drop to user frr: it must be able to reach this folder and write its pid files and sockets here
        NetnsLab.run("chmod", "o+x", lab.dir().toString());
        NetnsLab.run("chown", "-R", "frr:frr", dir.toString());
        daemon(ZEBRA, "zebra");
        daemon(BGPD, "bgpd");
    }

    private void daemon(String binary, String name) {
        lab.inRouter(binary, "-d", "-f", dir.resolve(name + ".conf").toString(), "-i", dir.resolve(name + ".pid").toString(),
                "-z", dir.resolve("zserv.api").toString(), "--vty_socket", dir.toString());
    }

    @Override
    public String name() {
        return "FRR";
    }

    /** A vtysh command against this instance, e.g. {@code show bgp summary json}. */
    String vtysh(String command) {
        return NetnsLab.run(VTYSH, "--vty_socket", dir.toString(), "-c", command);
    }

    /** Lines of {@code router bgp} configuration, applied to the running bgpd. */
    void configureBgp(String... lines) {
        List<String> command = new ArrayList<>(List.of(VTYSH, "--vty_socket", dir.toString(), "-c", "configure terminal",
                "-c", "router bgp " + SessionKind.ROUTER_AS));
        for (String line : lines) {
            command.add("-c");
            command.add(line);
        }
        NetnsLab.run(command.toArray(String[]::new));
    }

    @Override
    public List<RouterPath> paths(IpPrefix prefix) {
        JsonNode answer = Json.read(vtysh("show bgp " + (prefix.ipv6() ? "ipv6" : "ipv4") + " unicast " + prefix + " json"));
        List<RouterPath> paths = new ArrayList<>();
        for (JsonNode path : answer.path("paths")) {
            JsonNode localPref = path.get("locPrf") != null ? path.get("locPrf") : path.get("localpref");
            JsonNode hop = path.path("nexthops").path(0);
            paths.add(new RouterPath(InteropLab.address(path.path("peer").path("peerId").asText()),
                    InteropLab.address(hop.path("ip").asText()), path.path("origin").asText(),
                    path.path("aspath").path("string").asText().replace("Local", "").trim(),
                    localPref == null ? null : localPref.asLong(),
                    words(path.path("community").path("string").asText()), words(path.path("largeCommunity").path("string").asText())));
        }
        return paths;
    }

    /** The next hops zebra installed (FIB) for the prefix, checked against the kernel's table. */
    @Override
    public Set<InetAddress> usableNextHops(IpPrefix prefix) {
        JsonNode answer = Json.read(vtysh("show " + (prefix.ipv6() ? "ipv6" : "ip") + " route " + prefix + " json"));
        Set<InetAddress> installed = new HashSet<>();
        for (JsonNode route : Json.onlyValue(answer)) {
            if ("bgp".equals(route.path("protocol").asText()) && route.path("installed").asBoolean()) {
                route.path("nexthops").forEach(hop -> {
                    if (hop.path("fib").asBoolean()) {
                        installed.add(InteropLab.address(hop.path("ip").asText()));
                    }
                });
            }
        }
        Set<InetAddress> kernel = lab.kernelNextHops(prefix);
        installed.retainAll(kernel);
        return installed;
    }

    @Override
    public boolean established(InetAddress neighbor) {
        JsonNode answer = Json.read(vtysh("show bgp neighbors " + neighbor.getHostAddress() + " json"));
        // keyed by FRR's spelling of the address (IPv6 compressed), so take the one entry
        return "Established".equals(Json.onlyValue(answer).path("bgpState").asText());
    }

    /** The families the neighbor offered in its OPEN (FRR's names: ipv4Unicast, ipv6Unicast). */
    Set<String> familiesReceivedFrom(InetAddress neighbor) {
        JsonNode answer = Json.read(vtysh("show bgp neighbors " + neighbor.getHostAddress() + " json"));
        JsonNode families = Json.onlyValue(answer).path("neighborCapabilities").path("multiprotocolExtensions");
        Set<String> received = new HashSet<>();
        families.fieldNames().forEachRemaining(family -> {
            JsonNode how = families.get(family);
            if (how.path("received").asBoolean() || how.path("advertisedAndReceived").asBoolean()) {
                received.add(family);
            }
        });
        return received;
    }

    private static List<String> words(String text) {
        return text.isBlank() ? List.of() : List.of(text.trim().split("\\s+"));
    }

    @Override
    public void close() {
        for (String name : List.of("bgpd", "zebra")) {
            try {
                Path pid = dir.resolve(name + ".pid");
                if (Files.exists(pid)) {
                    NetnsLab.run("kill", Files.readString(pid).trim());
                }
            } catch (IOException | RuntimeException e) {
                System.out.println("stopping " + name + ": " + e);
            }
        }
    }

    /** The daemons' logs, for the reader of a failed run. */
    String logs() {
        try {
            return Files.exists(dir.resolve("bgpd.log")) ? Files.readString(dir.resolve("bgpd.log")) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
