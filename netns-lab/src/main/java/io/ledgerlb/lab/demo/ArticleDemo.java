package io.ledgerlb.lab.demo;

import io.ledgerlb.lab.NetnsLab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plays MetalLB's introduction (the article the project started from) on the lab's world: the
 * legacy ConfigMap imported, the nginx Service given an IP from the pool, the client's ARP
 * request answered by a speaker, HTTP served by the owning node and by the next one when it
 * dies; then BGP, the router holding the IP with one path per node, one fewer when a node dies;
 * and the ledger's history of the IP.
 */
final class ArticleDemo {
    private static final Pattern EXTERNAL_IP = Pattern.compile("^nginx\\s+LoadBalancer\\s+\\S+\\s+(\\d+\\.\\d+\\.\\d+\\.\\d+)",
            Pattern.MULTILINE);
    private static final Pattern ARP_REPLY = Pattern.compile("reply from \\S+ \\[([0-9A-Fa-f:]{17})\\]");
    private static final Pattern SERVED_BY = Pattern.compile("served by (node\\d+)");

    private final ArticleWorld world;
    private final LabOptions options;
    private final Progress progress;
    private String ip;

    ArticleDemo(ArticleWorld world, LabOptions options, Progress progress) {
        this.world = world;
        this.options = options;
        this.progress = progress;
    }

    /** The Service's EXTERNAL-IP, once it has one. */
    String ip() {
        return ip;
    }

    void play() throws Exception {
        progress.step("building the network: namespaces " + world.ns("{br,router,client,node1,node2,node3}"), () -> {
                    world.build();
                    return null;
                });
        Topology t = world.topology;
        progress.line("   nodes " + t.nodeAddresses() + ", router R1 " + t.routerAddress() + " (AS " + t.asn()
                + "), client " + t.clientAddress() + ", all on one bridge");
        progress.step("starting the router R1 (" + options.router() + ")", () -> {
            world.startRouter();
            return null;
        });
        String banner = progress.step("starting the allocator (embedded Kafka, local Kubernetes API)", world::startAllocator);
        progress.shell("ledgerlb run --local", banner);
        progress.step("registering the three nodes with the Kubernetes API (the kubelets' part)", () -> {
            NetnsLab.Result applied = world.shell("kubectl", "apply", "-f", write("nodes.yaml", nodes()));
            progress.shell("kubectl apply -f nodes.yaml", applied.output());
            check(applied.ok(), "kubectl apply failed");
            return null;
        });
        progress.step("starting three speakers (" + options.backend() + " BGP backend), one per node", () -> {
            for (int i = 0; i < 3; i++) {
                world.startNode(i);
            }
            for (int i = 0; i < 3; i++) {
                world.awaitNode(i);
            }
            return null;
        });
        if (options.layer2()) {
            layer2();
        }
        if (options.bgp()) {
            bgp();
        }
        progress.step("the ledger's history of " + ip, () -> {
            NetnsLab.Result audit = world.ledgerlb("audit", "--ip", ip, "--admin", world.admin());
            progress.shell("ledgerlb audit --ip " + ip, audit.output());
            check(audit.ok(), "ledgerlb audit failed");
            return null;
        });
    }

    private void layer2() throws Exception {
        importConfigMap("layer2", """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  namespace: metallb-system
                  name: config
                data:
                  config: |
                    address-pools:
                    - name: my-ip-space
                      protocol: layer2
                      addresses:
                      - %s
                """.formatted(world.topology.pool()));
        createService();

        int owner = progress.step("the client ARPs for " + ip + "; one speaker answers with its node's MAC", () -> {
            NetnsLab.Result arping = world.lab.exec(ArticleWorld.CLIENT, "arping", "-c", "1", "-w", "5", "-I", "eth0", ip);
            progress.shell("ip netns exec " + world.ns(ArticleWorld.CLIENT) + " arping -c 1 -I eth0 " + ip, arping.output());
            Matcher mac = ARP_REPLY.matcher(arping.output());
            check(mac.find(), "no ARP reply for " + ip);
            int node = world.nodeByMac(mac.group(1)).orElseThrow(() -> new IllegalStateException("the reply's MAC is no node's"));
            String line = arpLogLine(node).orElseThrow(() -> new IllegalStateException(
                    world.topology.nodeName(node) + "'s speaker logged no ARP answer:\n" + world.nodeLog(node)));
            progress.shell("grep 'got ARP request' " + world.topology.nodeName(node) + ".log   # the speaker's log", line);
            return node;
        });

        progress.step("HTTP from the client to http://" + ip + "/", () -> {
            String body = curl(ArticleWorld.CLIENT, 5);
            check(body.contains("served by " + world.topology.nodeName(owner)), "not answered by the owner " + owner + ": " + body);
            return null;
        });

        progress.step("killing " + world.topology.nodeName(owner) + " (the owner): its link down, its speaker and backend killed", () -> {
            long killed = System.nanoTime();
            world.killNode(owner);
            String next = null;
            String body = "";
            while (next == null) {
                body = NetnsLab.execute(List.of("ip", "netns", "exec", world.ns(ArticleWorld.CLIENT), "curl", "-s", "-m", "0.3",
                        "http://" + ip + "/")).output();
                Matcher m = SERVED_BY.matcher(body);
                if (m.find() && !m.group(1).equals(world.topology.nodeName(owner))) {
                    next = m.group(1);
                }
                check(System.nanoTime() - killed < 60_000_000_000L, "no other node answered within 60 s");
            }
            double seconds = (System.nanoTime() - killed) / 1e9;
            progress.shell("ip netns exec " + world.ns(ArticleWorld.CLIENT) + " curl http://" + ip + "/", body);
            progress.line(String.format(Locale.ROOT, "   failover: %s answered %.2f s after %s was killed", next, seconds,
                    world.topology.nodeName(owner)));
            return null;
        });
        if (options.bgp()) {
            progress.step(world.topology.nodeName(owner) + " comes back", () -> {
                world.restartNode(owner);
                world.awaitNode(owner);
                return null;
            });
        }
    }

    private void bgp() throws Exception {
        importConfigMap("bgp", """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  namespace: metallb-system
                  name: config
                data:
                  config: |
                    peers:
                    - my-asn: %d
                      peer-asn: %d
                      peer-address: %s
                    address-pools:
                    - name: my-ip-space
                      protocol: bgp
                      addresses:
                      - %s
                """.formatted(world.topology.asn(), world.topology.asn(), world.topology.routerAddress(), world.topology.pool()));
        if (options.layer2()) {
            // the new ConfigMap replaces the old: what the layer2 import made and the bgp one does not, goes
            NetnsLab.Result deleted = world.shell("kubectl", "delete", "l2advertisement", "-n", "metallb-system", "--all");
            progress.shell("kubectl delete l2advertisement -n metallb-system --all   # the ConfigMap now says bgp", deleted.output());
        } else {
            createService();
        }
        Router router = world.router();
        progress.step("waiting for R1 to hold " + ip + " with three next hops, one per node", () -> {
            Waits.until("three next hops at the router", () -> router.nextHops(ip).size() == 3, 120,
                    () -> router.summary().output() + "\n" + router.route(ip).output());
            Router.Shown summary = router.summary();
            progress.shell(summary.command(), summary.output());
            Router.Shown route = router.route(ip);
            progress.shell(route.command(), route.output());
            progress.line("   next hops: " + router.nextHops(ip));
            return null;
        });
        if (router.installsRoutes()) {
            progress.step("HTTP from R1 to http://" + ip + "/ (over the route, to one of the nodes)", () -> {
                curl(ArticleWorld.ROUTER, 10);
                return null;
            });
        }
        int victim = 0;
        progress.step("killing " + world.topology.nodeName(victim) + " (link down, speaker killed): R1 drops its path at the hold time ("
                + Router.HOLD_SECONDS + " s)", () -> {
                    long killed = System.nanoTime();
                    world.killNode(victim);
                    Waits.until("two next hops at the router", () -> router.nextHops(ip).size() == 2, 60,
                            () -> router.route(ip).output());
                    double seconds = (System.nanoTime() - killed) / 1e9;
                    Router.Shown route = router.route(ip);
                    progress.shell(route.command(), route.output());
                    Set<String> hops = router.nextHops(ip);
                    progress.line(String.format(Locale.ROOT, "   next hops: %s (%s's path gone %.1f s after the kill)", hops,
                            world.topology.nodeName(victim), seconds));
                    return null;
                });
    }

    private void importConfigMap(String protocol, String configMap) throws Exception {
        progress.step("importing the article's " + protocol + " ConfigMap (MetalLB's pre-0.13 format)", () -> {
            Path file = world.lab.dir().resolve("configmap-" + protocol + ".yaml");
            Files.writeString(file, configMap);
            progress.shell("cat " + file.getFileName(), configMap);
            NetnsLab.Result imported = world.ledgerlb("import-configmap", "-f", file.toString(), "--apply");
            progress.shell("ledgerlb import-configmap -f " + file.getFileName() + " --apply", withoutLogLines(imported.output()));
            check(imported.ok(), "import-configmap failed");
            return null;
        });
    }

    private void createService() throws Exception {
        ip = progress.step("creating the nginx Service (type LoadBalancer, port 80)", () -> {
            Path file = world.lab.dir().resolve("nginx.yaml");
            Files.writeString(file, """
                    apiVersion: v1
                    kind: Service
                    metadata:
                      name: nginx
                      namespace: default
                    spec:
                      type: LoadBalancer
                      selector:
                        app: nginx
                      ports:
                      - name: http
                        port: 80
                        targetPort: 80
                    """);
            NetnsLab.Result applied = world.shell("kubectl", "apply", "-f", file.toString());
            progress.shell("kubectl apply -f nginx.yaml", applied.output());
            check(applied.ok(), "kubectl apply failed");
            // the nginx pods' endpoints, one per node (the endpoints controller's part)
            NetnsLab.Result endpoints = world.shell("kubectl", "apply", "-f", write("nginx-endpoints.yaml", endpointSlice()));
            progress.shell("kubectl apply -f nginx-endpoints.yaml   # nginx pods on node1..3", endpoints.output());
            check(endpoints.ok(), "kubectl apply failed");
            String[] found = new String[1];
            Waits.until("the nginx Service's EXTERNAL-IP", () -> {
                NetnsLab.Result get = world.shell("kubectl", "get", "svc", "nginx");
                Matcher m = EXTERNAL_IP.matcher(get.output());
                if (m.find()) {
                    found[0] = get.output();
                    return true;
                }
                return false;
            }, 60, () -> world.shell("kubectl", "describe", "svc", "nginx").output());
            progress.shell("kubectl get svc nginx", found[0]);
            Matcher m = EXTERNAL_IP.matcher(found[0]);
            check(m.find(), "no EXTERNAL-IP");
            return m.group(1);
        });
        world.serviceIpOnNodes(ip);
    }

    private String write(String name, String content) throws IOException {
        return Files.writeString(world.lab.dir().resolve(name), content).toString();
    }

    private String nodes() {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            yaml.append("""
                    apiVersion: v1
                    kind: Node
                    metadata:
                      name: %1$s
                      labels: {kubernetes.io/hostname: %1$s, kubernetes.io/os: linux}
                    status:
                      addresses:
                      - {type: InternalIP, address: %2$s}
                      - {type: Hostname, address: %1$s}
                      conditions:
                      - {type: Ready, status: "True"}
                    ---
                    """.formatted(world.topology.nodeName(i), world.topology.nodeAddresses().get(i)));
        }
        return yaml.toString();
    }

    private String endpointSlice() {
        StringBuilder endpoints = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            endpoints.append("""
                    - addresses: [10.233.%d.10]
                      conditions: {ready: true, serving: true, terminating: false}
                      nodeName: %s
                    """.formatted(70 + i, world.topology.nodeName(i)));
        }
        return """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: nginx-lab
                  namespace: default
                  labels: {kubernetes.io/service-name: nginx}
                addressType: IPv4
                ports:
                - {name: http, port: 80, protocol: TCP}
                endpoints:
                %s""".formatted(endpoints);
    }

    /** The owner's log line for the client's ARP request (the article's line). */
    private Optional<String> arpLogLine(int node) {
        String[] found = new String[1];
        try {
            Waits.until("the ARP log line", () -> {
                found[0] = world.nodeLog(node).lines()
                        .filter(l -> l.contains("got ARP request for service IP") && l.contains("\"ip\":\"" + ip + "\""))
                        .reduce((a, b) -> b).orElse(null);
                return found[0] != null;
            }, 10, () -> "");
        } catch (IllegalStateException e) {
            return Optional.empty();
        }
        return Optional.of(found[0]);
    }

    /** HTTP to the Service from a namespace; prints and returns the answer. */
    private String curl(String from, int seconds) {
        NetnsLab.Result r = world.lab.exec(from, "curl", "-s", "-S", "-m", String.valueOf(seconds), "http://" + ip + "/");
        progress.shell("ip netns exec " + world.ns(from) + " curl http://" + ip + "/", r.output());
        check(r.ok() && SERVED_BY.matcher(r.output()).find(), "no answer from the Service");
        return r.output();
    }

    /** The CLI's answer without the JSON log lines its libraries write on stderr (fabric8's API version warnings). */
    private static String withoutLogLines(String output) {
        return String.join("\n", output.lines().filter(l -> !l.startsWith("{\"timestamp\"")).toList());
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }
}
