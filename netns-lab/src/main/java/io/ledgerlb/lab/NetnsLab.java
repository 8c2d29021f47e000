package io.ledgerlb.lab;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A small Layer 2 network made of Linux network namespaces, for tests, benchmarks and trying the
 * speaker on one machine: "nodes" and a client joined by bridges that live in a namespace of
 * their own, so nothing touches the host's network. Names are unique per lab
 * ({@code llb-<random>-<name>}); {@link #close} stops the processes it started (by handle) and
 * deletes every namespace it made. Needs root and iproute2.
 */
public final class NetnsLab implements AutoCloseable {
    public static final String BRIDGES = "br";

    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Six hex digits: labs of test JVMs running side by side do not meet. */
    private final String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final Path dir;

    public NetnsLab() throws IOException {
        dir = Files.createTempDirectory("llb-" + id + "-");
    }

    /** This lab's random part of every name it makes. */
    public String id() {
        return id;
    }

    /** True when this process may build labs: root, with {@code ip} on the PATH. */
    public static boolean available() {
        return "root".equals(System.getProperty("user.name")) && onPath("ip");
    }

    public static boolean onPath(String binary) {
        for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(p, binary))) {
                return true;
            }
        }
        return false;
    }

    /** A folder for logs and relay sockets, deleted on close. */
    public Path dir() {
        return dir;
    }

    public String ns(String name) {
        return "llb-" + id + "-" + name;
    }

    public void addNamespace(String name) {
        run("ip", "netns", "add", ns(name));
        namespaces.add(ns(name));
        run("ip", "-n", ns(name), "link", "set", "lo", "up");
        run("ip", "netns", "exec", ns(name), "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0");
    }

    /** Adds a bridge; the first one creates the namespace bridges live in. */
    public void addBridge(String bridge) {
        if (!namespaces.contains(ns(BRIDGES))) {
            addNamespace(BRIDGES);
        }
        run("ip", "-n", ns(BRIDGES), "link", "add", bridge, "type", "bridge");
        run("ip", "-n", ns(BRIDGES), "link", "set", bridge, "up");
    }

    /**
     * Plugs {@code node}'s interface {@code ifname} into {@code bridge}, with a MAC and addresses
     * (CIDR notation; IPv6 without duplicate address detection).
     */
    public void connect(String node, String ifname, String bridge, String mac, String... addresses) {
        String port = "p" + Math.abs((node + ifname).hashCode() % 100000);
        run("ip", "-n", ns(BRIDGES), "link", "add", port, "type", "veth", "peer", "name", ifname, "netns", ns(node));
        run("ip", "-n", ns(BRIDGES), "link", "set", port, "master", bridge, "up");
        run("ip", "-n", ns(node), "link", "set", ifname, "address", mac);
        address(node, ifname, addresses);
    }

    /** Joins two namespaces directly by a veth pair, {@code ifA} in {@code a} and {@code ifB} in {@code b}; both ends stay down. */
    public void link(String a, String ifA, String b, String ifB) {
        run("ip", "-n", ns(a), "link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", ns(b));
    }

    /** Gives {@code node}'s interface addresses (CIDR notation; IPv6 without duplicate address detection) and brings it up. */
    public void address(String node, String ifname, String... addresses) {
        for (String a : addresses) {
            if (a.contains(":")) {
                run("ip", "-n", ns(node), "addr", "add", a, "dev", ifname, "nodad");
            } else {
                run("ip", "-n", ns(node), "addr", "add", a, "dev", ifname);
            }
        }
        run("ip", "-n", ns(node), "link", "set", ifname, "up");
    }

    /** Runs a command inside a namespace and waits for it (at most 30 s). */
    public Result exec(String node, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns(node)));
        full.addAll(List.of(command));
        return execute(full);
    }

    /** Starts a long-running command in a namespace, output to {@code <dir>/<logName>}; stopped on close. */
    public Process spawn(String node, List<String> command, String logName) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns(node)));
        full.addAll(command);
        return spawnOnHost(full, logName);
    }

    /** Starts a long-running command in this process's own namespace, output to {@code <dir>/<logName>}; stopped on close. */
    public Process spawnOnHost(List<String> command, String logName) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(logName).toFile())).start();
        synchronized (processes) {
            processes.add(p);
        }
        return p;
    }

    /** The namespaces this lab made, in order. */
    public List<String> namespaces() {
        return List.copyOf(namespaces);
    }

    /** The processes this lab started that still run. */
    public List<Process> processes() {
        synchronized (processes) {
            return processes.stream().filter(Process::isAlive).toList();
        }
    }

    /** What a spawned process has logged so far. */
    public String log(String logName) {
        try {
            Path file = dir.resolve(logName);
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Runs a command (in the host's namespace) to its end, at most 30 s; returns its output, throws with it when it fails. */
    public static String run(String... command) {
        Result r = execute(List.of(command));
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + r.output());
        }
        return r.output();
    }

    /** Runs a command (in the host's namespace) to its end, at most 30 s. */
    public static Result execute(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    @Override
    public void close() {
        synchronized (processes) {
            for (Process p : processes) {
                p.destroyForcibly();
            }
            for (Process p : processes) {
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            execute(List.of("ip", "netns", "del", namespaces.get(i)));
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
