package io.ledgerlb.speaker;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.sign.TrustedKeys;
import io.ledgerlb.kube.endpoint.MetricsEndpointOptions;
import io.ledgerlb.kube.health.Health;
import io.ledgerlb.kube.health.Supervisor;
import io.ledgerlb.speaker.k8s.SpeakerEvents;
import io.ledgerlb.ledger.kafka.KafkaClientOptions;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.net.InvalidAddressException;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.speaker.k8s.ClusterWatch;
import io.ledgerlb.speaker.k8s.ServiceL2Status;
import io.ledgerlb.speaker.k8s.StatusWriter;
import io.ledgerlb.speaker.l2.InterfaceChoice;
import io.ledgerlb.speaker.l2.L2Announcer;
import io.ledgerlb.speaker.l2.PcapInterface;
import io.ledgerlb.speaker.members.GossipKeys;
import io.ledgerlb.speaker.members.Membership;
import io.ledgerlb.speaker.metrics.SpeakerMetrics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The speaker process, one per node: follows the ledger (latest snapshot, then the tail, then
 * live), keeps membership with the other speakers, watches Nodes and EndpointSlices, and answers
 * ARP/NDP for the IPs this node owns on the selected interfaces.
 *
 * <pre>
 * ledgerlb-speaker --node-name=$NODE_NAME --interface=eth0 \
 *     --kafka-bootstrap=kafka:9092 --members-bind=$NODE_IP:7946 --metrics-port=7472
 * </pre>
 * SIGTERM hands over first: the speaker says it is leaving, keeps answering for
 * {@code --handover-ms} while the new owners announce, then stops.
 */
@Command(name = "ledgerlb-speaker", mixinStandardHelpOptions = true,
        description = "Announces the IPs of the ledgerlb ledger from this node (Layer 2: ARP and NDP).")
public final class SpeakerMain implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(SpeakerMain.class);
    /** How long stopping may take after the handover. */
    static final Duration CLOSE_BOUND = Duration.ofSeconds(5);

    @Option(names = "--node-name", defaultValue = "${env:NODE_NAME}", required = true,
            description = "This node's Kubernetes name (default: $NODE_NAME).")
    String nodeName;

    @Option(names = "--interface", description = "An interface to answer ARP/NDP on (repeat); none: every interface "
            + "that is up and not excluded (--exclude-interface).")
    List<String> interfaces = new ArrayList<>();

    @Option(names = "--exclude-interface", paramLabel = "REGEX", description = "Without --interface: interfaces not to answer on "
            + "(a regular expression, repeat); naming any replaces the default, MetalLB's (docker, veth, cali, lxcbr, lo, ...).")
    List<String> excludedInterfaces = new ArrayList<>(InterfaceChoice.DEFAULT_EXCLUSIONS);

    @Option(names = "--kafka-bootstrap", required = true, defaultValue = "${env:LEDGERLB_KAFKA_BOOTSTRAP}",
            description = "The ledger's Kafka bootstrap servers (default: $LEDGERLB_KAFKA_BOOTSTRAP).")
    String kafkaBootstrap;

    /** --kafka-property and --kafka-properties-file, as every ledgerlb process takes them. */
    @CommandLine.Mixin
    KafkaClientOptions kafka = new KafkaClientOptions();

    @Option(names = "--trusted-keys", defaultValue = "${env:LEDGERLB_TRUSTED_KEYS}", paramLabel = "FILE",
            description = "The Ed25519 public keys whose signed heads the speaker believes (PEM 'PUBLIC KEY' blocks; in "
                    + "deploy/ a ConfigMap). Without it signatures are not checked (a ledger not adopted yet), with a warning.")
    Path trustedKeys;

    @Option(names = "--events-topic", defaultValue = "${env:LEDGERLB_LEDGER_TOPIC:-" + LedgerConfig.DEFAULT_EVENTS_TOPIC + "}")
    String eventsTopic;

    @Option(names = "--snapshots-topic", defaultValue = LedgerConfig.DEFAULT_SNAPSHOTS_TOPIC)
    String snapshotsTopic;

    @Option(names = "--members-bind", required = true, defaultValue = "${env:HOST_IP:-}:7946",
            description = "IP:port where this speaker's membership listens, and what it tells the others (default: $HOST_IP:7946).")
    String membersBind;

    @Option(names = "--members-seed", description = "IP:port of another speaker (repeat). With Kubernetes the Nodes' InternalIPs are added.")
    List<String> seeds = new ArrayList<>();

    @Option(names = "--memberlist-key-file", defaultValue = "${env:LEDGERLB_MEMBERLIST_KEY_FILE}",
            description = "The membership key (the Secret's file, mounted): one key a line, the first encrypts, all decrypt "
                    + "(two while rotating). Default: $LEDGERLB_MEMBERLIST_KEY_FILE. Required unless --insecure-membership.")
    Path memberlistKeyFile;

    @Option(names = "--insecure-membership",
            description = "Run membership without authentication: any host that reaches the membership port can then move IPs. Labs only.")
    boolean insecureMembership;

    @Option(names = "--members-interval-ms", defaultValue = "100")
    long intervalMs;

    @Option(names = "--members-fail-after-ms", defaultValue = "500",
            description = "A speaker not heard of for this long is dead and its IPs move (default ${DEFAULT-VALUE}).")
    long failAfterMs;

    @Option(names = "--members-join-delay-ms", defaultValue = "1000",
            description = "A speaker owns IPs only after being alive this long (default ${DEFAULT-VALUE}).")
    long joinDelayMs;

    @Option(names = "--handover-ms", defaultValue = "500",
            description = "On SIGTERM, keep answering this long after saying goodbye (default ${DEFAULT-VALUE}).")
    long handoverMs;

    @Option(names = "--ledger-stale-after-ms", defaultValue = "30000",
            description = "The folded ledger is stale when not confirmed at the ledger's end for this long: /readyz fails,"
                    + " and if Kafka answers but the follower is behind, planning stops (default ${DEFAULT-VALUE}).")
    long ledgerStaleAfterMs;

    @Option(names = "--garp-repeat-count", defaultValue = "0",
            description = "After taking an IP over (gratuitous ARP / unsolicited NA at once, 200 ms and 1 s later), send it this many"
                    + " more times, every --garp-interval-ms, while the IP stays here: for switches that age MAC tables out before"
                    + " routers age ARP caches (default ${DEFAULT-VALUE}).")
    int garpRepeatCount;

    @Option(names = "--garp-interval-ms", defaultValue = "30000",
            description = "Time between the repeats of --garp-repeat-count (at least 100; default ${DEFAULT-VALUE}).")
    long garpIntervalMs;

    @Option(names = "--full-plan-every-ms", defaultValue = "60000",
            description = "Planning is incremental (an event costs the IPs it touches); this often a plan from scratch checks it"
                    + " (a difference is logged at ERROR, counted in ledgerlb_speaker_plan_disagreements_total, and taken;"
                    + " default ${DEFAULT-VALUE}).")
    long fullPlanEveryMs;

    @Option(names = "--metrics-port", defaultValue = "7472", description = "Prometheus /metrics, /healthz, /readyz port; 0: none.")
    int metricsPort;

    /** --metrics-bind and --metrics-tls-cert/-key, as the allocator takes them. */
    @CommandLine.Mixin
    MetricsEndpointOptions metricsEndpoint = new MetricsEndpointOptions();

    @Option(names = "--kubernetes", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "Watch Nodes and EndpointSlices and write status (default). --no-kubernetes: every live speaker is a node.")
    boolean kubernetes;

    @Option(names = "--kubernetes-master", description = "API server URL (default: in-cluster or kubeconfig).")
    String kubernetesMaster;

    @Option(names = "--namespace", defaultValue = "${env:POD_NAMESPACE:-metallb-system}",
            description = "Where the ServiceL2Status / ServiceBGPStatus objects go: the speaker's own namespace (default: $POD_NAMESPACE, else ${DEFAULT-VALUE}).")
    String namespace;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SpeakerMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        GossipKeys memberKeys;
        LedgerConfig ledgerConfig;
        try {
            memberKeys = memberKeys();
            ledgerConfig = ledgerConfig();
        } catch (IOException | IllegalArgumentException e) {
            log.error("speaker not started: {}", e.getMessage());
            return 2;
        }
        L2Announcer.GarpRepeats garpRepeats;
        try {
            garpRepeats = new L2Announcer.GarpRepeats(garpRepeatCount, Duration.ofMillis(garpIntervalMs));
        } catch (IllegalArgumentException e) {
            log.error("speaker not started: {}", e.getMessage());
            return 2;
        }
        List<AutoCloseable> resources = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        try {
            SpeakerMetrics metrics = new SpeakerMetrics();
            metrics.serve(metricsEndpoint, metricsPort);
            resources.add(metrics::stop);
            Health health = metrics.health();

            List<PcapInterface> links = new ArrayList<>();
            List<String> answering = interfaces.isEmpty() ? InterfaceChoice.eligible(excludedInterfaces) : interfaces;
            for (String name : answering) {
                PcapInterface link = PcapInterface.open(name);
                links.add(link);
                resources.add(link);
            }
            L2Announcer announcer = new L2Announcer(links, metrics, garpRepeats);
            resources.add(announcer);
            links.forEach(link -> link.start(frame -> announcer.received(link.identity().name(), frame)));

            Optional<KubernetesClient> client = Optional.empty();
            if (kubernetes) {
                Config config = kubernetesMaster == null ? Config.autoConfigure(null)
                        : new ConfigBuilder(Config.empty()).withMasterUrl(kubernetesMaster).build();
                client = Optional.of(new KubernetesClientBuilder().withConfig(config).build());
                resources.add(client.get());
            }
            client.ifPresent(c -> {
                var events = SpeakerEvents.healthEvents(c, nodeName);
                resources.add(events);
                health.onChange(events);
            });
            Optional<StatusWriter<ServiceL2Status>> status = client.map(c -> StatusWriter.layer2(c, nodeName, namespace));
            status.ifPresent(resources::add);

            Speaker[] speakerRef = new Speaker[1];
            Runnable planAgain = () -> {
                if (speakerRef[0] != null) {
                    speakerRef[0].clusterChanged();
                }
            };
            Optional<ClusterWatch> cluster = client.map(c -> new ClusterWatch(c, planAgain));
            cluster.ifPresent(resources::add);
            InetSocketAddress bind = socketAddress(membersBind);
            BgpSpeaking[] bgpRef = new BgpSpeaking[1];
            Optional<BgpSpeaking> bgp = Optional.of(new BgpSpeaking(bind.getAddress(), client, nodeName, namespace, () -> {
                if (bgpRef[0] != null) {
                    bgpRef[0].recheck();
                }
            }, metrics.registry()));
            bgpRef[0] = bgp.get();
            bgp.ifPresent(resources::add);
            Speaker speaker = new Speaker(nodeName, announcer, metrics, cluster, status, bgp, Duration.ofMillis(fullPlanEveryMs));
            speakerRef[0] = speaker;
            resources.add(speaker);

            KafkaLedger ledger = KafkaLedger.open(ledgerConfig);
            resources.add(ledger);
            LedgerWatch watch = new LedgerWatch(ledger::follow, ledger.endProbe(), speaker, health,
                    Duration.ofMillis(ledgerStaleAfterMs), Duration.ofMillis(Math.min(5_000, ledgerStaleAfterMs / 4)))
                    .hintWhenUnanswered(KafkaClientOptions.credentialsHint(kafka.properties()));
            resources.add(watch);
            speaker.awaitLedgerFolded();

            List<InetSocketAddress> seedAddresses = new ArrayList<>();
            for (String seed : seeds) {
                seedAddresses.add(socketAddress(seed));
            }
            Membership membership = Membership.start(new Membership.Config(nodeName, bind, seedAddresses,
                    Duration.ofMillis(intervalMs), Duration.ofMillis(failAfterMs), Duration.ofMillis(joinDelayMs),
                    memberKeys, Membership.Config.DEFAULT_MAX_CLOCK_SKEW), speaker);
            resources.add(membership);
            metrics.membershipDropped(membership::dropped);
            List<Supervisor.Part> supervised = new ArrayList<>();
            links.forEach(link -> supervised.add(Supervisor.Part.restartable("capture-" + link.identity().name(),
                    link::capturing, link::restart)));
            supervised.add(Supervisor.Part.fatal("membership", membership::running));
            resources.add(new Supervisor(health, supervised, Duration.ofSeconds(1)));
            cluster.ifPresent(c -> membership.addSeeds(c.internalAddresses().stream()
                    .map(ip -> new InetSocketAddress(literal(ip), bind.getPort())).toList()));

            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                log.atInfo().addKeyValue("event", "shutdown").log("leaving: handing IPs over before stopping");
                speaker.leaving();
                try {
                    membership.leave(Duration.ofMillis(handoverMs));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                closeAllWithin(resources, CLOSE_BOUND);
                stopped.countDown();
            }, "speaker-shutdown"));
            log.atInfo().addKeyValue("event", "started").addKeyValue("node", nodeName)
                    .addKeyValue("interfaces", answering).log("speaker started");
            stopped.await();
            return 0;
        } catch (Exception e) {
            log.error("speaker failed to start", e);
            closeAll(resources);
            return 1;
        }
    }

    /** The membership keys, or null when the operator asked for none; refuses a missing choice. */
    GossipKeys memberKeys() throws IOException {
        if (memberlistKeyFile != null && insecureMembership) {
            throw new IllegalArgumentException("--memberlist-key-file and --insecure-membership exclude each other");
        }
        if (memberlistKeyFile != null) {
            return GossipKeys.read(memberlistKeyFile);
        }
        if (insecureMembership) {
            return null;
        }
        throw new IllegalArgumentException("membership needs a key: --memberlist-key-file=FILE (or $LEDGERLB_MEMBERLIST_KEY_FILE; "
                + "make one with: openssl rand -base64 32), or, in a lab only, --insecure-membership");
    }

    LedgerConfig ledgerConfig() throws IOException {
        LedgerConfig config = LedgerConfig.external(kafkaBootstrap, kafka.properties())
                .withTopics(eventsTopic, snapshotsTopic);
        return trustedKeys == null ? config : config.withTrustedKeys(TrustedKeys.load(trustedKeys));
    }

    private static void closeAll(List<AutoCloseable> resources) {
        closeAll(resources, new AtomicReference<>());
    }

    private static void closeAll(List<AutoCloseable> resources, AtomicReference<AutoCloseable> closing) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            closing.set(resources.get(i));
            try {
                resources.get(i).close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", resources.get(i), e.toString());
            }
        }
        closing.set(null);
        resources.clear();
    }

    /**
     * Closes the resources as {@link #closeAll} does, but stops waiting after {@code bound}: the
     * close of a client whose peer is gone (Kafka, the API server) can block for that client's
     * request timeout, 30 s or more, and a process told to stop must stop. The process exits
     * when the shutdown hook returns, whatever is still closing.
     */
    static boolean closeAllWithin(List<AutoCloseable> resources, Duration bound) {
        AtomicReference<AutoCloseable> closing = new AtomicReference<>();
        Thread closer = new Thread(() -> closeAll(resources, closing), "speaker-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(bound.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!closer.isAlive()) {
            return true;
        }
        log.atWarn().addKeyValue("event", "shutdownBounded")
                .log("stopping now: {} did not close within {} s (a peer it waits for is gone)", closing.get(),
                        bound.toSeconds());
        return false;
    }

    static InetSocketAddress socketAddress(String ipAndPort) {
        int colon = ipAndPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected IP:port, got " + ipAndPort);
        }
        String host = ipAndPort.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(literal(host), Integer.parseInt(ipAndPort.substring(colon + 1)));
    }

    private static InetAddress literal(String ip) {
        try {
            return IpAddress.parseInet(ip);
        } catch (InvalidAddressException e) {
            throw new IllegalArgumentException("expected an IP address, got " + ip, e);
        }
    }
}
