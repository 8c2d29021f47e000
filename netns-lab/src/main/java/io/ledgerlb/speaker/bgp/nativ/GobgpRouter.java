package io.ledgerlb.speaker.bgp.nativ;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** A gobgpd 3.x daemon in a {@link NetnsLab} namespace, its API on the namespace's own loopback. */
public final class GobgpRouter implements AutoCloseable {
    public static final String GOBGPD = "/usr/bin/gobgpd";
    public static final String GOBGP = "/usr/bin/gobgp";
    private static final int API_PORT = 50051;

    private final NetnsLab lab;
    private final Process process;

    public GobgpRouter(NetnsLab lab, long routerAs, long speakerAs) throws IOException {
        this.lab = lab;
        Path config = lab.write("gobgpd.toml", """
                [global.config]
                  as = %d
                  router-id = "%s"
                  local-address-list = ["%s"]
                [[neighbors]]
                  [neighbors.config]
                    neighbor-address = "%s"
                    peer-as = %d
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
                """.formatted(routerAs, lab.routerV4.getHostAddress(), lab.routerV4.getHostAddress(),
                lab.hostV4.getHostAddress(), speakerAs));
        process = lab.start("gobgpd", GOBGPD, "-f", config.toString(), "-p", "--api-hosts", "127.0.0.1:" + API_PORT,
                "--pprof-disable");
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        while (true) {
            try {
                cli("global");
                return;
            } catch (IOException e) {
                if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new IOException("gobgpd did not start: " + lab.log("gobgpd"), e);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException(ie);
                }
            }
        }
    }

    public String cli(String... args) throws IOException {
        String[] command = new String[args.length + 3];
        command[0] = GOBGP;
        command[1] = "-p";
        command[2] = Integer.toString(API_PORT);
        System.arraycopy(args, 0, command, 3, args.length);
        return lab.inside(command);
    }

    /** The global RIB of a family ("ipv4" or "ipv6") as gobgp prints it with all attributes. */
    public String rib(String family) throws IOException {
        return cli("global", "rib", "-a", family);
    }

    public String ribJson(String family) throws IOException {
        return cli("-j", "global", "rib", "-a", family);
    }

    @Override
    public void close() throws IOException {
        lab.stop(process);
    }
}
