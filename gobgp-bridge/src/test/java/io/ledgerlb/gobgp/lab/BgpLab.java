package io.ledgerlb.gobgp.lab;

import io.ledgerlb.lab.NetnsLab;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static io.ledgerlb.lab.NetnsLab.run;

/**
 * Two network namespaces joined by a veth pair: gobgpd in one, BIRD 2 in the other. gobgpd's gRPC
 * API is a unix socket in a temporary folder, so the test JVM reaches it without any interface
 * in the host's namespace. Built on {@link NetnsLab} (names, namespaces, links, processes,
 * cleanup); everything (namespaces, daemons by PID, files) goes in {@link #close}.
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
    private final NetnsLab lab;
    private final List<Daemon> daemons = new ArrayList<>();
    private Daemon gobgpd;
    private Daemon bird;

    private BgpLab(NetnsLab lab, int subnet) throws IOException {
        this.lab = lab;
        this.gobgpNamespace = lab.ns("g");
        this.birdNamespace = lab.ns("b");
        this.dir = lab.dir();
        this.gobgpV4 = InetAddress.getByName("10.99." + subnet + ".1");
        this.gobgpV4Second = InetAddress.getByName("10.99." + subnet + ".4");
        this.birdV4 = InetAddress.getByName("10.99." + subnet + ".2");
        this.birdV4Second = InetAddress.getByName("10.99." + subnet + ".3");
        this.gobgpV6 = InetAddress.getByName("fd00:99:" + Integer.toHexString(subnet) + "::1");
        this.birdV6 = InetAddress.getByName("fd00:99:" + Integer.toHexString(subnet) + "::2");
    }

    /** Creates the namespaces and the link; removes whatever it made if that fails. */
    public static BgpLab create() throws IOException {
        BgpLab lab = new BgpLab(new NetnsLab(), ThreadLocalRandom.current().nextInt(100, 250));
        try {
            lab.wire();
            return lab;
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    private void wire() {
        lab.addNamespace("g");
        lab.addNamespace("b");
        lab.link("g", "g0", "b", "b0");
        lab.address("g", "g0", gobgpV4.getHostAddress() + "/24", gobgpV4Second.getHostAddress() + "/24",
                gobgpV6.getHostAddress() + "/64");
        lab.address("b", "b0", birdV4.getHostAddress() + "/24", birdV4Second.getHostAddress() + "/24",
                birdV6.getHostAddress() + "/64");
    }

    /** The gRPC target of the lab's gobgpd. */
    public String gobgpTarget() {
        return "unix://" + dir.resolve("gobgpd.sock");
    }

    /** Starts gobgpd (no config file: the bridge starts BGP over the API) and waits for its socket. */
    public Daemon startGobgpd() {
        Path socket = dir.resolve("gobgpd.sock");
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        gobgpd = start("gobgpd", "g", "gobgpd.log",
                List.of("gobgpd", "-p", "-l", "info", "--api-hosts", gobgpTarget(), "--pprof-disable"));
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
        bird = start("bird", "b", "bird.out", List.of("bird", "-f", "-c", config.toString(), "-s", socket.toString()));
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

    private Daemon start(String name, String node, String logName, List<String> command) {
        try {
            Daemon daemon = new Daemon(name, lab.spawn(node, command, logName), dir.resolve(logName));
            daemons.add(daemon);
            return daemon;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name, e);
        }
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
        lab.close();
    }
}
