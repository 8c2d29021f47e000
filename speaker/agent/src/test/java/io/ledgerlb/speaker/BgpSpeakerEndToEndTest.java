package io.ledgerlb.speaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.ledgerlb.events.v1.BgpAdvertisementDefined;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.events.v1.ConfigKind;
import io.ledgerlb.events.v1.ConfigRemoved;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpReleased;
import io.ledgerlb.events.v1.ReleaseReason;
import io.ledgerlb.events.v1.ServiceRef;
import io.ledgerlb.gobgp.lab.BirdRoutes;
import io.ledgerlb.ledger.LedgerWriter;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.testing.LedgerFixture;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.speaker.bgp.nativ.BirdRouter;
import io.ledgerlb.speaker.bgp.nativ.NetnsLab;
import io.ledgerlb.speaker.k8s.BgpPeerObjects;
import io.ledgerlb.speaker.k8s.BgpPeerStatusWriter;
import io.ledgerlb.speaker.k8s.EndpointSlices;
import io.ledgerlb.speaker.k8s.ServiceBGPStatus;
import io.ledgerlb.speaker.owner.Ledgers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The speaker process as deployed ({@link SpeakerMain}, its own JVM, BGP only) between a real
 * ledger (the embedded Kafka broker of this JVM), fabric8's CRUD mock as the API server, and a
 * real BIRD 2 in a network namespace: ledger events → BgpAnnouncer's plan → native session →
 * routes at BIRD with the advertisement's attributes, and ServiceBGPStatus objects naming the
 * peer; a release withdraws, endpoints decide for {@code externalTrafficPolicy: Local}, a removed
 * BGPPeer closes its session.
 */
class BgpSpeakerEndToEndTest {
    static final Duration WAIT = Duration.ofSeconds(90);
    static final long AS = 64512; // iBGP: BIRD keeps the LOCAL_PREF the speaker sends
    static final String NS = "metallb-system";

    /** What the test started, closed in reverse order also when it fails. */
    final Deque<AutoCloseable> started = new ArrayDeque<>();
    NetnsLab lab;
    BirdRouter bird;
    KafkaLedger ledger;
    LedgerWriter writer;
    KubernetesClient client;
    int kubePort;
    Path speakerLog;
    int metricsPort;

    <T extends AutoCloseable> T started(T resource) {
        started.push(resource);
        return resource;
    }

    @BeforeEach
    void start() throws Exception {
        NetnsLab.assumeAvailable(BirdRouter.BIRD, BirdRouter.BIRDC, "/usr/sbin/ip");
        lab = started(new NetnsLab());
        bird = started(new BirdRouter(lab, AS, AS, true, 9, ""));
        ledger = started(LedgerFixture.open("bgp-end-to-end"));
        writer = started(ledger.openWriter("test"));
        KubernetesMockServer kube = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        kube.init(InetAddress.getByName("127.0.0.1"), 0);
        started(kube::destroy);
        kubePort = kube.getPort();
        client = started(kube.createClient());
    }

    @AfterEach
    void stop() throws Exception {
        Exception first = null;
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Test
    void ledgerToRoutesAtBirdAndServiceBgpStatus() throws Exception {
        node("n1");
        node("n2");
        serve("web", "n2");            // Cluster: an endpoint anywhere will do
        serve("api", "n2");
        serve("local-here", "n1");      // Local, with an endpoint on this node
        serve("local-elsewhere", "n2"); // Local, none here: not announced from n1
        bgpPeerObject("bird");
        bgpPeerObject("md5");
        append(Ledgers.pool("agg", "192.0.2.0/27", Map.of()),
                Ledgers.pool("hosts", "192.0.2.64/27", Map.of()).setPoolDefined(
                        Ledgers.pool("hosts", "192.0.2.64/27", Map.of()).getPoolDefined().toBuilder().addAddresses("2001:db8:99::/120")),
                Event.newBuilder().setBgpAdvertisementDefined(BgpAdvertisementDefined.newBuilder().setName("aggregated")
                        .addIpAddressPools("agg").setAggregationLength(28).setLocalPref(250).addCommunities("64512:100")),
                Event.newBuilder().setBgpAdvertisementDefined(BgpAdvertisementDefined.newBuilder().setName("hosts")
                        .addIpAddressPools("hosts").setLocalPref(150).addCommunities("64512:200").addLargeCommunities("64512:7:1")),
                Event.newBuilder().setBgpPeerDefined(peer("bird")),
                // native mode peers from the default VRF only: no session, and the BGPPeer says so
                Event.newBuilder().setBgpPeerDefined(peer("md5").setPeerPort(1179).setVrf("blue")),
                Ledgers.assign("web", "192.0.2.10", "agg", false),
                Ledgers.assign("api", "192.0.2.70", "hosts", false),
                Ledgers.assign("api", "2001:db8:99::70", "hosts", false),
                Ledgers.assign("local-here", "192.0.2.71", "hosts", true),
                Ledgers.assign("local-elsewhere", "192.0.2.72", "hosts", true));
        startSpeaker();

        String v4 = lab.hostV4.getHostAddress();
        await().atMost(WAIT).untilAsserted(() -> assertThat(routes().keySet())
                .containsExactlyInAnyOrder(p("192.0.2.0/28"), p("192.0.2.70/32"), p("2001:db8:99::70/128"), p("192.0.2.71/32")));
        Map<String, Map<String, String>> routes = routes();
        assertThat(routes.get(p("192.0.2.0/28"))).containsEntry("BGP.local_pref", "250")
                .containsEntry("BGP.community", "(64512,100)").containsEntry("BGP.next_hop", v4)
                .containsEntry("BGP.as_path", "").doesNotContainKey("BGP.large_community");
        for (String host : List.of("192.0.2.70/32", "192.0.2.71/32")) {
            assertThat(routes.get(p(host))).as(host).containsEntry("BGP.local_pref", "150")
                    .containsEntry("BGP.community", "(64512,200)").containsEntry("BGP.large_community", "(64512, 7, 1)")
                    .containsEntry("BGP.next_hop", v4);
        }
        assertThat(routes.get(p("2001:db8:99::70/128")).get("BGP.next_hop")).startsWith(lab.hostV6Text);

        // the native session's meters reach the speaker's own /metrics, one series per peer
        String session = "metallb_bgp_session_up{peer=\"" + lab.routerV4.getHostAddress() + ":179\"}";
        await().atMost(WAIT).untilAsserted(() -> assertThat(scrape("/metrics").body()).contains(session + " 1"));
        assertThat(scrape("/readyz").statusCode()).isEqualTo(200);

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(peersByService()).isEqualTo(Map.of("web", List.of("bird"), "api", List.of("bird"), "local-here", List.of("bird")));
            assertThat(supported("bird")).isEqualTo("True");
            assertThat(supported("md5")).isEqualTo("False");
            assertThat(client.v1().events().inNamespace(NS).list().getItems())
                    .anySatisfy(e -> assertThat(e.getType() + " " + e.getInvolvedObject().getName()).isEqualTo("Warning md5"));
        });
        assertThat(bgpStatuses()).allSatisfy(s -> assertThat(s.getStatus().getNode()).isEqualTo("n1"));

        // released in the ledger: its routes are withdrawn, its status goes
        append(release("api", "192.0.2.70"), release("api", "2001:db8:99::70"));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(routes().keySet()).containsExactlyInAnyOrder(p("192.0.2.0/28"), p("192.0.2.71/32"));
            assertThat(peersByService()).containsOnlyKeys("web", "local-here");
        });

        // the Local Service gets an endpoint on this node: announced from here now
        serve("local-elsewhere", "n1");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(routes().keySet()).containsExactlyInAnyOrder(p("192.0.2.0/28"), p("192.0.2.71/32"), p("192.0.2.72/32"));
            assertThat(peersByService()).containsOnlyKeys("web", "local-here", "local-elsewhere");
        });

        // the BGPPeer removed: the session ends (BIRD drops it and its routes) and no status names it
        append(Event.newBuilder().setConfigRemoved(ConfigRemoved.newBuilder().setKind(ConfigKind.BGP_PEER).setName("bird")));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(bird.protocolState()).doesNotContain("Established");
            assertThat(routes()).isEmpty();
            assertThat(bgpStatuses()).isEmpty();
        });
        assertThat(Files.readString(speakerLog)).contains("\"event\":\"bgpSessionState\"");
    }

    /**
     * {@code --no-kubernetes}: no Nodes, no EndpointSlices, so every live speaker counts as
     * serving, and the speaker announces every Service IP of the ledger to its peer (before,
     * it reached Established and announced nothing).
     */
    @Test
    void withoutKubernetesTheSpeakerAnnouncesEveryServiceIp() throws Exception {
        appendPoolPeerAnd(Ledgers.assign("web", "192.0.2.70", "hosts", false),
                Ledgers.assign("local", "192.0.2.71", "hosts", true));
        startSpeaker("--no-kubernetes");

        await().atMost(WAIT).untilAsserted(() -> assertThat(routes().keySet())
                .containsExactlyInAnyOrder(p("192.0.2.70/32"), p("192.0.2.71/32")));
        assertThat(routes().get(p("192.0.2.70/32"))).containsEntry("BGP.local_pref", "100")
                .containsEntry("BGP.next_hop", lab.hostV4.getHostAddress());

        append(release("web", "192.0.2.70"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(routes().keySet()).containsExactly(p("192.0.2.71/32")));
    }

    /**
     * GoBGP mode with gobgpd started by the speaker (LEDGERLB_GOBGPD_BINARY): {@code kill -9} of
     * the speaker kills gobgpd too (parent-death signal), its sockets close, and BIRD drops the
     * session and the routes at once, not after its hold timer. The time from the kill to the
     * withdrawal is printed, not asserted (timings belong to bench/).
     */
    @Test
    void aSpeakerKilledInGobgpModeLeavesNoRoutesBehind() throws Exception {
        NetnsLab.assumeAvailable("/usr/bin/gobgpd", "/usr/bin/setpriv");
        appendPoolPeerAnd(Ledgers.assign("web", "192.0.2.70", "hosts", false));
        String socket = lab.dir.resolve("speaker-gobgpd.sock").toString();
        Process speaker = startSpeaker(Map.of("LEDGERLB_BGP_BACKEND", "gobgp", "LEDGERLB_GOBGPD_BINARY", "/usr/bin/gobgpd",
                "LEDGERLB_GOBGPD_ADDRESS", "unix://" + socket), "--no-kubernetes");
        await().atMost(WAIT).untilAsserted(() -> assertThat(routes().keySet()).containsExactly(p("192.0.2.70/32")));
        assertThat(gobgpdOf(socket)).as("the speaker's gobgpd").isPresent();

        long killed = System.nanoTime();
        speaker.destroyForcibly(); // SIGKILL: no shutdown hook runs
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> assertThat(routes()).isEmpty());
        System.out.printf("GoBGP mode: speaker killed -> routes gone at BIRD after %d ms%n", (System.nanoTime() - killed) / 1_000_000);
        await().atMost(WAIT).untilAsserted(() -> assertThat(gobgpdOf(socket)).as("gobgpd outlived its speaker").isEmpty());
        assertThat(bird.cli("show protocols all speaker")).as("the session closed, BIRD did not wait for its hold timer")
                .doesNotContain("Hold timer expired");
    }

    /**
     * Native mode: {@code kill -9} of the speaker closes its sockets (the kernel sends the FIN), so
     * BIRD drops the session and the routes at once, not after its hold timer. Printed, not asserted.
     */
    @Test
    void aSpeakerKilledInNativeModeLeavesNoRoutesBehind() throws Exception {
        appendPoolPeerAnd(Ledgers.assign("web", "192.0.2.70", "hosts", false));
        Process speaker = startSpeaker(Map.of("LEDGERLB_BGP_BACKEND", "native"), "--no-kubernetes");
        await().atMost(WAIT).untilAsserted(() -> assertThat(routes().keySet()).containsExactly(p("192.0.2.70/32")));

        long killed = System.nanoTime();
        speaker.destroyForcibly(); // SIGKILL: no shutdown hook runs, no NOTIFICATION is sent
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> assertThat(routes()).isEmpty());
        System.out.printf("native mode: speaker killed -> routes gone at BIRD after %d ms%n", (System.nanoTime() - killed) / 1_000_000);
        assertThat(bird.cli("show protocols all speaker")).as("the session closed, BIRD did not wait for its hold timer")
                .doesNotContain("Hold timer expired");
    }

    /**
     * GoBGP mode as deploy/speaker-gobgp runs it: gobgpd in a container of its own, started by
     * {@code gobgpd-watchdog.sh}, which kills it as soon as the speaker's metrics port refuses
     * connections. {@code kill -9} of the speaker: the watchdog kills gobgpd, its session closes,
     * BIRD withdraws the route (printed); the watchdog stays, to start gobgpd when the speaker is back.
     */
    @Test
    void theSidecarsWatchdogTakesGobgpdDownWithTheSpeaker() throws Exception {
        NetnsLab.assumeAvailable("/usr/bin/gobgpd", "/bin/bash");
        appendPoolPeerAnd(Ledgers.assign("web", "192.0.2.70", "hosts", false));
        String socket = lab.dir.resolve("sidecar-gobgpd.sock").toString();
        Map<String, String> gobgpMode = Map.of("LEDGERLB_BGP_BACKEND", "gobgp", "LEDGERLB_GOBGPD_ADDRESS", "unix://" + socket);
        Process speaker = startSpeaker(gobgpMode, "--no-kubernetes");
        ProcessBuilder sidecar = new ProcessBuilder("/bin/bash", Path.of("..", "..", "deploy", "speaker-gobgp", "gobgpd-watchdog.sh")
                .toAbsolutePath().normalize().toString()).redirectErrorStream(true)
                .redirectOutput(lab.dir.resolve("sidecar.log").toFile());
        sidecar.environment().putAll(Map.of("SPEAKER_METRICS_PORT", String.valueOf(metricsPort),
                "GOBGPD_API_HOSTS", "unix://" + socket));
        Process watchdog = sidecar.start();
        started(() -> {
            watchdog.destroy();
            watchdog.waitFor(10, TimeUnit.SECONDS);
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(routes().keySet()).containsExactly(p("192.0.2.70/32")));

        long killed = System.nanoTime();
        speaker.destroyForcibly();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> assertThat(routes()).isEmpty());
        System.out.printf("GoBGP sidecar with watchdog: speaker killed -> routes gone at BIRD after %d ms%n",
                (System.nanoTime() - killed) / 1_000_000);
        await().atMost(WAIT).untilAsserted(() -> assertThat(gobgpdOf(socket)).as("gobgpd outlived its speaker").isEmpty());
        assertThat(watchdog.isAlive()).as("the watchdog waits for the speaker to come back").isTrue();
        assertThat(Files.readString(lab.dir.resolve("sidecar.log"))).contains("gobgpd killed");
    }

    /** Pool "hosts" (192.0.2.64/27), its BGPAdvertisement, the BGPPeer "bird", then these events. */
    void appendPoolPeerAnd(Event.Builder... then) throws Exception {
        List<Event.Builder> events = new ArrayList<>(List.of(Ledgers.pool("hosts", "192.0.2.64/27", Map.of()),
                Event.newBuilder().setBgpAdvertisementDefined(BgpAdvertisementDefined.newBuilder().setName("hosts")
                        .addIpAddressPools("hosts")),
                Event.newBuilder().setBgpPeerDefined(peer("bird"))));
        events.addAll(List.of(then));
        append(events.toArray(Event.Builder[]::new));
    }

    /** The gobgpd process serving this API socket, if any runs. */
    static Optional<ProcessHandle> gobgpdOf(String socket) {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().map(c -> c.contains("gobgpd") && c.contains(socket))
                .orElse(false)).findFirst();
    }

    // ---- the speaker process

    void startSpeaker() throws IOException {
        startSpeaker(Map.of(), "--kubernetes-master=http://127.0.0.1:" + kubePort, "--namespace=" + NS);
    }

    Process startSpeaker(String... clusterOptions) throws IOException {
        return startSpeaker(Map.of(), clusterOptions);
    }

    Process startSpeaker(Map<String, String> environment, String... clusterOptions) throws IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            metricsPort = free.getLocalPort();
        }
        speakerLog = lab.dir.resolve("speaker.log");
        List<String> command = new ArrayList<>(speakerCommand());
        command.addAll(List.of(
                "--node-name=n1",
                "--kafka-bootstrap=" + ledger.bootstrapServers(), "--trusted-keys=" + LedgerFixture.trustedKeysFile(),
                "--events-topic=" + ledger.config().eventsTopic(), "--snapshots-topic=" + ledger.config().snapshotsTopic(),
                // membership and the router id on the lab's own address; no Layer 2 (every interface excluded)
                "--exclude-interface=.*", "--members-bind=" + lab.hostV4.getHostAddress() + ":7946", "--insecure-membership", // the only speaker
                "--metrics-port=" + metricsPort));
        command.addAll(List.of(clusterOptions));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Process speaker = builder.redirectErrorStream(true).redirectOutput(speakerLog.toFile()).start();
        started(() -> {
            speaker.destroy(); // SIGTERM: the speaker's own shutdown
            if (!speaker.waitFor(20, TimeUnit.SECONDS)) {
                speaker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Path kept = Files.createDirectories(Path.of("target", "netns-logs"));
            Files.copy(speakerLog, kept.resolve("bgp-end-to-end-speaker.log"), StandardCopyOption.REPLACE_EXISTING);
        });
        return speaker;
    }

    HttpResponse<String> scrape(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The JVM and its arguments up to the speaker's own: the test classpath, or (SpeakerJarEndToEndIT) the shaded jar on the image's runtime. */
    static List<String> speakerCommand() {
        List<String> jvm = List.of("-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dlogback.configurationFile=logback.xml");
        String jar = System.getProperty("ledgerlb.speaker.jar");
        if (jar != null) {
            String java = Path.of(System.getProperty("ledgerlb.runtime"), "bin", "java").toString();
            return Stream.of(List.of(java), jvm, List.of("-jar", jar)).flatMap(List::stream).toList();
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Stream.of(List.of(java), jvm, List.of("-cp", cp, SpeakerMain.class.getName())).flatMap(List::stream).toList();
    }

    // ---- the ledger

    BgpPeerDefined.Builder peer(String name) {
        return BgpPeerDefined.newBuilder().setName(name).setMyAsn((int) AS).setPeerAsn((int) AS)
                .setPeerAddress(lab.routerV4.getHostAddress()).setSourceAddress(lab.hostV4.getHostAddress())
                .setHoldTimeSeconds(9).setHoldTimeSet(true).setConnectTimeSeconds(1)
                .setDualStackAddressFamily(true); // the IPv6 Service IP goes over this IPv4 session too
    }

    static Event.Builder release(String service, String ip) {
        return Event.newBuilder().setIpReleased(IpReleased.newBuilder()
                .setService(ServiceRef.newBuilder().setNamespace("default").setName(service).setUid("uid-" + service))
                .setIp(ip).setPool("hosts").setReason(ReleaseReason.SERVICE_DELETED));
    }

    void append(Event.Builder... bodies) throws Exception {
        Ledgers.append(writer, bodies);
    }

    // ---- the cluster

    void node(String name) {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    }

    void serve(String service, String node) {
        EndpointSlices.servedFrom(client, "default", service, node);
    }

    void bgpPeerObject(String name) {
        BgpPeerObjects.create(client, NS, name, Map.of("myASN", AS, "peerASN", AS, "peerAddress", lab.routerV4.getHostAddress()));
    }

    String supported(String peer) {
        return (String) BgpPeerObjects.conditions(client, NS, peer).getOrDefault(BgpPeerStatusWriter.SUPPORTED, Map.of()).get("status");
    }

    List<ServiceBGPStatus> bgpStatuses() {
        return client.resources(ServiceBGPStatus.class).inNamespace(NS).list().getItems(); // the speaker's namespace
    }

    Map<String, List<String>> peersByService() {
        Map<String, List<String>> out = new TreeMap<>();
        bgpStatuses().forEach(s -> out.put(s.getStatus().getServiceName(), s.getStatus().getPeers()));
        return out;
    }

    // ---- the router

    /** BIRD's routes from the speaker, keyed by prefix as {@link IpPrefix} prints it. */
    Map<String, Map<String, String>> routes() throws IOException {
        Map<String, Map<String, String>> routes = new TreeMap<>();
        BirdRoutes.parse(bird.cli("show route all protocol speaker")).forEach((prefix, attributes) -> routes.put(p(prefix), attributes));
        return routes;
    }

    static String p(String prefix) {
        return IpPrefix.parse(prefix).toString();
    }
}
