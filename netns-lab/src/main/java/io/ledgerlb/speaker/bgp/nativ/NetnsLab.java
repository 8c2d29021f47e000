package io.ledgerlb.speaker.bgp.nativ;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace joined to the test JVM's own by a veth pair, for running a router daemon
 * that the test JVM peers with. Run by Maven as root, the JVM itself lives in a namespace of its
 * own ({@code speaker/own-netns/bin/java}), so the "host" end never appears in the
 * machine's network. Addresses: 10.99.N.(4k+1)/30 on the JVM's end,
 * +1 in the namespace; fd00:99:N:k::1/64 and ::2. Built on the speaker's {@link
 * io.ledgerlb.lab.NetnsLab} (names, commands in the namespace, processes, cleanup), to
 * which it adds only the link to the host. Everything it creates (namespace, host link, processes
 * it started, temp files) is removed by {@link #close}, also when a test fails.
 */
public final class NetnsLab implements AutoCloseable {
    public final String namespace;
    public final String hostLink;
    public final InetAddress hostV4;
    public final InetAddress routerV4;
    public final InetAddress hostV6;
    /** {@link #hostV6} as routers print it (compressed). */
    public final String hostV6Text;
    public final InetAddress routerV6;
    public final Path dir;
    public static final String NFT = "/usr/sbin/nft";
    private final io.ledgerlb.lab.NetnsLab lab;

    /** Skips the test when a needed binary or root is missing, unless CI is set (then it fails). */
    public static void assumeAvailable(String... binaries) {
        boolean ok = io.ledgerlb.lab.NetnsLab.available();
        for (String b : binaries) {
            ok &= Files.isExecutable(Path.of(b));
        }
        if (System.getenv("CI") == null) {
            assumeTrue(ok, "needs root and " + String.join(", ", binaries));
        } else if (!ok) {
            throw new IllegalStateException("CI is set but root or one of " + String.join(", ", binaries) + " is missing");
        }
    }

    public NetnsLab() throws IOException {
        lab = new io.ledgerlb.lab.NetnsLab();
        dir = lab.dir();
        namespace = lab.ns("b");
        hostLink = "llb" + lab.id() + "h";
        String peerLink = "llb" + lab.id() + "p";
        String v4Prefix = null;
        String v6Prefix = null;
        String existing = run("ip", "-o", "addr");
        for (int attempt = 0; attempt < 50 && v4Prefix == null; attempt++) {
            int n = ThreadLocalRandom.current().nextInt(1, 255);
            // k > 0: a zero group would be printed compressed ("::") by routers, unlike v6Prefix
            int k = ThreadLocalRandom.current().nextInt(1, 64);
            if (!existing.contains("10.99." + n + "." + (4 * k + 1) + "/") && !existing.contains("10.99." + n + "." + (4 * k + 2) + "/")) {
                v4Prefix = "10.99." + n + "." + (4 * k);
                v6Prefix = "fd00:99:" + Integer.toHexString(n) + ":" + Integer.toHexString(k) + "::";
            }
        }
        if (v4Prefix == null) {
            lab.close();
            throw new IOException("no free 10.99.0.0/16 subnet");
        }
        String[] parts = v4Prefix.split("\\.");
        int base = Integer.parseInt(parts[3]);
        String net = parts[0] + "." + parts[1] + "." + parts[2] + ".";
        hostV4 = InetAddress.getByName(net + (base + 1));
        routerV4 = InetAddress.getByName(net + (base + 2));
        hostV6Text = v6Prefix + "1";
        hostV6 = InetAddress.getByName(hostV6Text);
        routerV6 = InetAddress.getByName(v6Prefix + "2");
        try {
            lab.addNamespace("b");
            run("ip", "link", "add", hostLink, "type", "veth", "peer", "name", peerLink, "netns", namespace);
            run("ip", "addr", "add", hostV4.getHostAddress() + "/30", "dev", hostLink);
            run("ip", "-6", "addr", "add", hostV6.getHostAddress() + "/64", "dev", hostLink, "nodad");
            run("ip", "link", "set", hostLink, "up");
            lab.address("b", peerLink, routerV4.getHostAddress() + "/30", routerV6.getHostAddress() + "/64");
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Runs a command in the namespace and returns its output; fails on a non-zero exit. */
    public String inside(String... command) throws IOException {
        io.ledgerlb.lab.NetnsLab.Result result = lab.exec("b", command);
        if (!result.ok()) {
            throw new IOException(String.join(" ", command) + " failed in " + namespace + ": " + result.output());
        }
        return result.output();
    }

    /** Starts a long-running process in the namespace (stopped by {@link #stop} or {@link #close}). */
    public Process start(String name, String... command) throws IOException {
        return lab.spawn("b", List.of(command), name + ".log");
    }

    public void stop(Process p) throws IOException {
        if (p.isAlive()) {
            signal(p, "CONT");
            p.destroy();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Sends a signal (STOP, CONT, ...) to a process this lab started. */
    public void signal(Process p, String signal) throws IOException {
        run("kill", "-" + signal, Long.toString(p.pid()));
    }

    /**
     * Drops (or stops dropping) every packet in and out of the namespace with nftables: a link
     * that goes silent with no FIN, no RST and no carrier change, as when a cable or switch dies.
     */
    public void silence(boolean on) throws IOException {
        if (on) {
            Path rules = write("silence.nft", """
                    table inet llbsilence {
                      chain in { type filter hook input priority -400; policy drop; }
                      chain out { type filter hook output priority -400; policy drop; }
                    }
                    """);
            inside(NFT, "-f", rules.toString());
        } else {
            inside(NFT, "delete", "table", "inet", "llbsilence");
        }
    }

    public Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    public String log(String name) {
        return lab.log(name + ".log");
    }

    public static String run(String... command) throws IOException {
        try {
            return io.ledgerlb.lab.NetnsLab.run(command);
        } catch (IllegalStateException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        quietly("ip", "link", "del", hostLink);
        lab.close();
    }

    private static void quietly(String... command) {
        try {
            run(command);
        } catch (IOException e) {
            // already gone
        }
    }
}
