package io.ledgerlb.gobgp.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import static io.ledgerlb.gobgp.lab.Commands.quietly;
import static io.ledgerlb.gobgp.lab.Commands.run;

/**
 * Two network namespaces joined by a veth pair: gobgpd in one, BIRD 2 in the other. gobgpd's gRPC
 * API is a unix socket in a temporary folder, so the test JVM reaches it without any interface
 * in the host's namespace. Everything (namespaces, daemons by PID, files) goes in {@link #close}.
 *
 * <pre>
 *   llb-XXXX-g  [gobgpd]  g0 10.99.N.1, .4/24 fd00:99:N::1/64  ==veth==  b0 10.99.N.2, .3/24 fd00:99:N::2/64  [bird]  llb-XXXX-b
 * </pre>
 */
public final class BgpLab implements AutoCloseable {

    public final String gobgpNamespace;
    public final String birdNamespace;
    public final Path dir;
    public final InetAddress gobgpV4;
    public final InetAddress gobgpV4Second;
    public final InetAddress gobgpV6;
    public final InetAddress birdV4;
    public final InetAddress birdV4Second;
    public final InetAddress birdV6;
    private final List<Daemon> daemons = new ArrayList<>();
    private Daemon gobgpd;
    private Daemon bird;

    private BgpLab(String id, int subnet) throws IOException {
        this.gobgpNamespace = "llb-" + id + "-g";
        this.birdNamespace = "llb-" + id + "-b";
        this.dir = Files.createTempDirectory("llb-gobgp-" + id);
        this.gobgpV4 = InetAddress.getByName("10.99." + subnet + ".1");
        this.gobgpV4Second = InetAddress.getByName("10.99." + subnet + ".4");
        this.birdV4 = InetAddress.getByName("10.99." + subnet + ".2");
        this.birdV4Second = InetAddress.getByName("10.99." + subnet + ".3");
        this.gobgpV6 = InetAddress.getByName("fd00:99:" + Integer.toHexString(subnet) + "::1");
        this.birdV6 = InetAddress.getByName("fd00:99:" + Integer.toHexString(subnet) + "::2");
    }

    /** Creates the namespaces and the link; removes whatever it made if that fails. */
    public static BgpLab create() throws IOException {
        String id = UUID.randomUUID().toString().substring(0, 6);
        BgpLab lab = new BgpLab(id, ThreadLocalRandom.current().nextInt(100, 250));
        try {
            lab.wire();
            return lab;
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    private void wire() {
        run("ip", "netns", "add", gobgpNamespace);
        run("ip", "netns", "add", birdNamespace);
        run("ip", "-n", gobgpNamespace, "link", "add", "g0", "type", "veth", "peer", "name", "b0", "netns", birdNamespace);
        address(gobgpNamespace, "g0", gobgpV4.getHostAddress() + "/24", gobgpV4Second.getHostAddress() + "/24", gobgpV6.getHostAddress() + "/64");
        address(birdNamespace, "b0", birdV4.getHostAddress() + "/24", birdV4Second.getHostAddress() + "/24",
                birdV6.getHostAddress() + "/64");
    }

    private static void address(String namespace, String link, String... cidrs) {
        run("ip", "-n", namespace, "link", "set", "lo", "up");
        for (String cidr : cidrs) {
            if (cidr.contains(":")) {
                run("ip", "-n", namespace, "-6", "addr", "add", cidr, "dev", link, "nodad");
            } else {
                run("ip", "-n", namespace, "addr", "add", cidr, "dev", link);
            }
        }
        run("ip", "-n", namespace, "link", "set", link, "up");
    }

    /** The gRPC target of the lab's gobgpd. */
    public String gobgpTarget() {
        return "unix://" + dir.resolve("gobgpd.sock");
    }

    /** Starts gobgpd (no config file: the bridge starts BGP over the API) and waits for its socket. */
    public Daemon startGobgpd() {
        Path socket = dir.resolve("gobgpd.sock");
        quietly("rm", "-f", socket.toString());
        gobgpd = keep(Daemon.start("gobgpd", gobgpNamespace, dir.resolve("gobgpd.log"),
                List.of("gobgpd", "-p", "-l", "info", "--api-hosts", gobgpTarget(), "--pprof-disable")));
        awaitFile(socket, gobgpd);
        return gobgpd;
    }

    public Daemon gobgpd() {
        return gobgpd;
    }

    /** Runs gobgp's own CLI against the lab's gobgpd. */
    public String gobgp(String... arguments) {
        List<String> command = new ArrayList<>(List.of("gobgp", "--target", gobgpTarget()));
        command.addAll(List.of(arguments));
        return run(command.toArray(String[]::new));
    }

    /** Starts BIRD with this configuration (protocol and filter lines; router id, logging and device are added). */
    public Daemon startBird(String protocols) throws IOException {
        Path config = dir.resolve("bird.conf");
        Files.writeString(config, "router id " + birdV4.getHostAddress() + ";\nlog \"" + dir.resolve("bird.log") + "\" all;\n"
                + "protocol device { scan time 1; }\n" + protocols);
        Path socket = dir.resolve("bird.ctl");
        bird = keep(Daemon.start("bird", birdNamespace, dir.resolve("bird.out"),
                List.of("bird", "-f", "-c", config.toString(), "-s", socket.toString())));
        awaitFile(socket, bird);
        return bird;
    }

    /**
     * BIRD configuration for iBGP sessions in AS {@code as} (iBGP so that LOCAL_PREF travels),
     * with short error waits (BIRD idles 60 s after a dropped session by default). Give each
     * session a neighbor address of its own: BIRD locks a neighbor address, and a second session
     * to the same one waits for the first forever.
     */
    public static String birdTemplate(long as) {
        return "template bgp gobgp { local as " + as + "; neighbor as " + as + "; direct; hold time 9; connect retry time 1;\n"
                + "  error wait time 1, 2; connect delay time 1; debug { states, events }; }\n";
    }

    /** One session of {@link #birdTemplate}, importing one family; password null: none. */
    public static String birdSession(String name, InetAddress source, InetAddress neighbor, String password, boolean ipv6) {
        return "protocol bgp " + name + " from gobgp {\n  source address " + source.getHostAddress() + "; neighbor "
                + neighbor.getHostAddress() + ";" + (password == null ? "" : " password \"" + password + "\";")
                + "\n  " + (ipv6 ? "ipv6" : "ipv4") + " { import all; export none; gateway direct; };\n}\n";
    }

    /** Asks the lab's BIRD, e.g. {@code birdc("show", "route", "all")}. */
    public String birdc(String... arguments) {
        List<String> command = new ArrayList<>(List.of("birdc", "-s", dir.resolve("bird.ctl").toString()));
        command.addAll(List.of(arguments));
        return run(command.toArray(String[]::new));
    }

    private Daemon keep(Daemon daemon) {
        daemons.add(daemon);
        return daemon;
    }

    private static void awaitFile(Path file, Daemon daemon) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.exists(file)) {
            if (!daemon.alive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(daemon + " did not come up; see " + daemon.log());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Prints the daemons' logs (into the test's output), for the reader of a failed run. */
    public void printLogs() {
        if (bird != null && bird.alive()) {
            System.out.println("---- birdc show protocols all\n" + birdc("show", "protocols", "all"));
        }
        if (gobgpd != null && gobgpd.alive()) {
            System.out.println("---- gobgp neighbor\n" + gobgp("neighbor"));
        }
        for (String name : List.of("gobgpd.log", "bird.out", "bird.log")) {
            try {
                Path file = dir.resolve(name);
                if (Files.exists(file)) {
                    List<String> lines = Files.readAllLines(file);
                    System.out.println("---- " + name + " (last 400 lines)");
                    lines.subList(Math.max(0, lines.size() - 400), lines.size()).forEach(System.out::println);
                }
            } catch (IOException e) {
                System.out.println("---- " + name + ": " + e);
            }
        }
    }

    @Override
    public void close() {
        printLogs();
        daemons.forEach(Daemon::close);
        quietly("ip", "netns", "del", gobgpNamespace);
        quietly("ip", "netns", "del", birdNamespace);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temporary folder
        }
    }
}
