package io.ledgerlb.speaker.bgp.nativ;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** A BIRD 2 daemon in a {@link NetnsLab} namespace, peering with the host end of the veth. */
public final class BirdRouter implements AutoCloseable {
    public static final String BIRD = "/usr/sbin/bird";
    public static final String BIRDC = "/usr/sbin/birdc";

    private final NetnsLab lab;
    private final Path config;
    private final Path socket;
    private Process process;

    /**
     * @param as4   false: BIRD behaves as an old 2-octet-AS speaker ({@code enable as4 off})
     * @param extra more lines inside the bgp protocol block
     */
    public BirdRouter(NetnsLab lab, long routerAs, long speakerAs, boolean as4, int holdSeconds, String extra) throws IOException {
        this(lab, routerAs, speakerAs, as4, holdSeconds, extra, "");
    }

    /** @param protocols more top-level blocks (e.g. {@code protocol bfd { ... }}) */
    public BirdRouter(NetnsLab lab, long routerAs, long speakerAs, boolean as4, int holdSeconds, String extra,
                      String protocols) throws IOException {
        this.lab = lab;
        this.socket = lab.dir.resolve("bird.ctl");
        boolean ibgp = routerAs == speakerAs;
        String channel = "import all; export none;";
        // iBGP is multihop in BIRD unless told otherwise; direct makes the next hop resolve on the link
        String ibgpDirect = ibgp ? "direct;" : "";
        // an old (2-octet) speaker sees a 4-octet AS as AS_TRANS
        long neighborAs = !as4 && speakerAs > 0xFFFF ? 23456 : speakerAs;
        this.config = lab.write("bird.conf", """
                router id %s;
                log stderr all;
                protocol device { scan time 1; }
                %s
                protocol bgp speaker {
                  local %s as %d;
                  neighbor %s as %d;
                  hold time %d;
                  connect retry time 1;
                  error wait time 1, 2;
                  enable as4 %s;
                  graceful restart on;
                  ipv4 { %s };
                  ipv6 { %s };
                  %s
                  %s
                }
                """.formatted(lab.routerV4.getHostAddress(), protocols, lab.routerV4.getHostAddress(), routerAs,
                lab.hostV4.getHostAddress(), neighborAs, holdSeconds, as4 ? "on" : "off", channel, channel, ibgpDirect, extra));
        start();
    }

    public void start() throws IOException {
        Files.deleteIfExists(socket);
        process = lab.start("bird", BIRD, "-f", "-c", config.toString(), "-s", socket.toString());
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (!Files.exists(socket)) {
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                throw new IOException("bird did not start: " + lab.log("bird"));
            }
            sleep(20);
        }
    }

    public void stop() throws IOException {
        lab.stop(process);
    }

    public Process process() {
        return process;
    }

    public String cli(String command) throws IOException {
        return NetnsLab.run(BIRDC, "-s", socket.toString(), command);
    }

    /** {@code show route all} for one prefix, or "" when BIRD does not hold it. */
    public String route(String prefix) throws IOException {
        try {
            return cli("show route " + prefix + " all");
        } catch (IOException e) {
            if (e.getMessage().contains("Network not found")) {
                return "";
            }
            throw e;
        }
    }

    /** How many routes BIRD holds in the table (master4 or master6). */
    public int routeCount(String table) throws IOException {
        String out = cli("show route count table " + table);
        for (String line : out.split("\n")) {
            line = line.trim();
            if (line.contains(" of ") && line.contains("routes")) {
                return Integer.parseInt(line.substring(0, line.indexOf(' ')));
            }
        }
        return 0;
    }

    public String protocolState() throws IOException {
        return cli("show protocols speaker");
    }

    @Override
    public void close() throws IOException {
        if (process != null) {
            lab.stop(process);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
