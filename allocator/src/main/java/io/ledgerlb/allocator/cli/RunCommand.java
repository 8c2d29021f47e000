package io.ledgerlb.allocator.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.ledgerlb.admin.v1.RestoreRequest;
import io.ledgerlb.admin.v1.StatusResponse;
import io.ledgerlb.allocator.controller.RestoreStatus;
import io.ledgerlb.allocator.admin.AdminServer;
import io.ledgerlb.allocator.admin.AdminService;
import io.ledgerlb.allocator.admin.LedgerQueries;
import io.ledgerlb.allocator.controller.AllocatorController;
import io.ledgerlb.allocator.controller.AllocatorHealth;
import io.ledgerlb.allocator.controller.Leadership;
import io.ledgerlb.allocator.explorer.ExplorerAccess;
import io.ledgerlb.allocator.explorer.ExplorerApi;
import io.ledgerlb.allocator.explorer.ExplorerServer;
import io.ledgerlb.allocator.explorer.LiveHead;
import io.ledgerlb.allocator.k8s.local.LocalKubernetesApi;
import io.ledgerlb.allocator.metrics.MetricsServer;
import io.ledgerlb.ledger.SnapshotInfo;
import io.ledgerlb.kube.endpoint.MetricsEndpointOptions;
import io.ledgerlb.ledger.kafka.BrokerCredentials;
import io.ledgerlb.kube.health.Health;
import io.ledgerlb.kube.health.HealthEvents;
import io.ledgerlb.kube.health.LedgerFreshness;
import io.ledgerlb.kube.health.Supervisor;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "run", description = "The allocator: watches Services and MetalLB resources, records every decision "
        + "in the ledger, and writes the IPs back. Embedded Kafka and SQLite under --data-dir by default; the "
        + "kubeconfig's cluster when it answers, else a local Kubernetes API for kubectl.")
public final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Mixin LedgerOptions ledger;
    @Spec CommandSpec spec;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "The cluster (default: $KUBECONFIG, ~/.kube/config or in-cluster; a local API when none answers).")
    Path kubeconfig;
    @Option(names = "--local", description = "Use the local Kubernetes API even when a cluster is configured.")
    boolean local;
    @Option(names = "--local-port", defaultValue = "0", description = "Port of the local Kubernetes API (default: any free port).")
    int localPort;
    @Option(names = "--metrics-port", defaultValue = "7472", description = "Prometheus /metrics, /healthz, /readyz (default: ${DEFAULT-VALUE}; 0: any).")
    int metricsPort;
    @Option(names = "--admin", paramLabel = "HOST:PORT", description = "Where the admin gRPC API listens, on loopback"
            + " (default: " + AdminOptions.DEFAULT_ADDRESS + "; port 0: any). The tools reach it with the same --admin.")
    String adminAddress;
    @Option(names = "--admin-port", hidden = true, description = "Deprecated spelling of --admin 127.0.0.1:PORT.")
    Integer adminPort;
    /** --metrics-bind and --metrics-tls-cert/-key, as the speaker takes them. */
    @Mixin MetricsEndpointOptions metricsEndpoint = new MetricsEndpointOptions();
    @Option(names = "--explorer-port", defaultValue = "7474", description = "The ledger explorer page, http://127.0.0.1:PORT/explorer/ (default: ${DEFAULT-VALUE}; 0: any; -1: off).")
    int explorerPort;
    @Option(names = "--explorer-bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS", description = "Where the explorer listens (default: ${DEFAULT-VALUE}); any other address needs --explorer-token-file.")
    String explorerBind;
    @Option(names = "--explorer-token-file", paramLabel = "FILE", description = "A bearer token (16+ characters) every explorer request must carry; required beyond loopback.")
    Path explorerTokenFile;
    @Option(names = "--instance", description = "This allocator's name: the actor of its events and its Lease identity (default: $POD_NAME or host-pid).")
    String instance;
    @Option(names = "--lease-namespace", description = "Namespace of the leader-election Lease (default: $POD_NAMESPACE or ledgerlb-system).")
    String leaseNamespace;
    @Option(names = "--load-balancer-class", description = "Serve Services of this class (default: Services without a class).")
    String loadBalancerClass;
    @Option(names = "--snapshot-every", defaultValue = "10000", description = "Snapshot the state every N ledger entries (default: ${DEFAULT-VALUE}).")
    long snapshotEvery;

    @Option(names = "--restore", description = "Start restore mode when this allocator leads, unless it is on already"
            + " or the ledger shows it ended since it last started:"
            + " every Service the ledger holds IPs for keeps them until it reappears or `ledgerlb restore release`"
            + " gives them up; end it with `ledgerlb restore end` (a restart with the flag then runs normally).")
    boolean restore;

    @Option(names = "--ledger-stale-after-ms", defaultValue = "30000", description = "The folded ledger is stale when Kafka has not"
            + " answered a read of the ledger's end for this long, or the leader's state was not at that end for this long:"
            + " /readyz fails, as in the speaker (default ${DEFAULT-VALUE}).")
    long ledgerStaleAfterMs;

    @Option(names = "--resync-every", defaultValue = "PT5M", converter = DurationConverter.class,
            description = "Re-check every Service and pool against the ledger this often, as an ISO-8601 duration"
                    + " (default: ${DEFAULT-VALUE}; PT0S: never).")
    Duration resyncEvery;

    /** Reads an ISO-8601 duration such as PT5M. */
    static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Duration.parse(value);
        }
    }

    /** The mock server logs every request through java.util.logging; kept here so the level sticks. */
    private static final java.util.logging.Logger MOCK_SERVER_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    /** Where the local API keeps its objects across restarts, in the data folder. */
    static final String LOCAL_OBJECTS_FILE = "kube-objects.jsonl";

    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private volatile boolean ready;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String name = instance != null ? instance : Optional.ofNullable(System.getenv("POD_NAME"))
                .orElse(InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid());
        String namespace = leaseNamespace != null ? leaseNamespace
                : Optional.ofNullable(System.getenv("POD_NAMESPACE")).orElse("ledgerlb-system");
        InetSocketAddress adminListen = adminListenAddress();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "ledgerlb-shutdown"));
        try {
            Files.createDirectories(ledger.dataDir);
            ledger.requireSigningKey();
            KafkaLedger opened = ledger.open();
            toClose.push(opened);
            out.printf("ledger:      %s, topic %s, journal %s%n", opened.embeddedBroker().isPresent()
                    ? "embedded Kafka at " + opened.bootstrapServers() : "Kafka at " + opened.bootstrapServers(),
                    opened.config().eventsTopic(), opened.config().sqliteFile().map(Path::toString).orElse("none"));
            if (opened.embeddedBroker().isPresent()) {
                out.printf("readers:     SASL/SCRAM and ACLs; speakers and CLI: --kafka-bootstrap %s --kafka-properties-file %s%n",
                        opened.bootstrapServers(), ledger.dataDir.resolve(BrokerCredentials.READER_FILE_NAME));
            }
            out.printf("signing:     %s; readers trust %s%n", opened.config().signingKey().map(Object::toString).orElse("none"),
                    opened.config().trustedKeys());

            KubernetesClient client = kubernetes(out);
            toClose.push(client);

            AllocatorController controller = AllocatorController.withCoreStep(client, opened,
                    new AllocatorController.Settings(name, loadBalancerClass, 4, snapshotEvery, resyncEvery));
            toClose.push(controller);
            if (restore) {
                controller.restoreWhenLeading();
            }
            controller.reportConfigurationStateIn(namespace);
            controller.startInformers();

            Leadership leadership = new Leadership(client, controller, Leadership.Settings.defaults(namespace), name);
            MetricsServer metrics = bind("metrics", () -> new MetricsServer(metricsEndpoint.open(metricsPort),
                    controller::poolUsage));
            toClose.push(metrics);
            Health health = metrics.health();
            HealthEvents healthEvents = AllocatorHealth.events(client, namespace, name);
            toClose.push(healthEvents);
            health.onChange(healthEvents);
            LedgerFreshness freshness = AllocatorHealth.freshness(opened.endProbe(), controller,
                    Duration.ofMillis(ledgerStaleAfterMs));
            toClose.push(freshness);
            List<Supervisor.Part> parts = new ArrayList<>(AllocatorHealth.parts(controller, leadership::leader, freshness));
            metrics.gauge("ledgerlb_allocator_leader", "1 while this instance leads", () -> controller.leading() ? 1 : 0);
            metrics.gauge("ledgerlb_allocator_ledger_sequence", "The last ledger sequence folded",
                    () -> controller.withState(s -> s.sequence()));
            metrics.gauge("ledgerlb_allocator_chain_broken", "1 while this instance refuses to lead: the ledger's chain is broken",
                    () -> controller.chainBroken().isPresent() ? 1 : 0);
            metrics.gauge("ledgerlb_allocator_decisions", "Decisions committed by this instance", controller::decisions);
            metrics.gauge("ledgerlb_allocator_restore_missing", "Services restore mode keeps IPs for that have not reappeared",
                    () -> controller.restoreStatus().missing().size());
            metrics.gauge("ledgerlb_allocator_backlog", "Reconciliations and status writes waiting", controller::backlog);

            LedgerQueries queries = new LedgerQueries(opened, controller.step());
            AdminService admin = new AdminService(queries, new AdminService.Allocator() {
                @Override
                public StatusResponse status() {
                    return StatusResponse.newBuilder().setInstance(name).setLeader(controller.leading())
                            .setFoldedSequence(controller.withState(s -> s.sequence()))
                            .setReady(controller.informersSynced()).build();
                }

                @Override
                public SnapshotInfo takeSnapshot() throws Exception {
                    return controller.requestSnapshot().get(60, TimeUnit.SECONDS);
                }

                @Override
                public RestoreStatus restore(RestoreRequest request) throws Exception {
                    return AdminService.await(controller.restore(AdminService.command(request)));
                }
            }, () -> controller.withState(s -> s.copy()));
            AdminServer adminServer = bind("admin", () -> new AdminServer(adminListen, admin));
            toClose.push(adminServer);
            parts.add(Supervisor.Part.reported("admin", () -> adminServer.serving() ? Health.Status.working()
                    : Health.Status.down("the admin gRPC server shut down")));

            // the explorer counts pools with an allocation core of its own: sharing the controller's
            // would make its cached index follow the explorer's states instead of the leader's
            Optional<ExplorerServer> explorer = explorer(opened, parts);
            toClose.push(new Supervisor(health, parts, Duration.ofSeconds(1)));

            leadership.start();
            toClose.push(leadership);
            out.printf("metrics:     %s://%s/metrics  (/healthz, /readyz)%n", metricsEndpoint.scheme(),
                    metricsEndpoint.hostAndPort(metrics.port()));
            String adminAt = hostPort(adminListen.getAddress(), adminServer.port());
            out.printf("admin API:   %s  (ledgerlb audit|state|restore --admin %s)%n", adminAt, adminAt);
            explorer.ifPresent(e -> out.printf("explorer:    http://%s:%d/explorer/%s%n", explorerBind.contains(":")
                    ? "[" + explorerBind + "]" : explorerBind, e.port(), explorerTokenFile == null ? "" : "  (token required)"));
            out.printf("allocator:   %s, competing for Lease %s/ledgerlb-allocator%n", name, namespace);
            out.flush();
            ready = true;
            stopped.await();
            return LedgerlbCommand.OK;
        } finally {
            stop();
        }
    }

    /** {@code --admin}, or its deprecated spelling {@code --admin-port} (with a warning), checked before anything starts. */
    private InetSocketAddress adminListenAddress() {
        if (adminPort != null) {
            if (adminAddress != null) {
                throw new ConfigException("--admin-port and --admin say the same thing: pass --admin HOST:PORT only");
            }
            PrintWriter err = spec.commandLine().getErr();
            err.println("ledgerlb: warning: --admin-port is deprecated; use --admin 127.0.0.1:" + adminPort);
            err.flush();
            return AdminOptions.listenAddress("127.0.0.1:" + adminPort);
        }
        return AdminOptions.listenAddress(adminAddress != null ? adminAddress : AdminOptions.DEFAULT_ADDRESS);
    }

    private static String hostPort(InetAddress address, int port) {
        String host = address.getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * The explorer page on its own HTTP port: loopback unless a token file says who may read it
     * from elsewhere (the admin gRPC API itself stays on loopback).
     */
    private Optional<ExplorerServer> explorer(KafkaLedger opened, List<Supervisor.Part> parts) throws IOException {
        if (explorerPort < 0) {
            return Optional.empty();
        }
        InetAddress bindAddress;
        try {
            bindAddress = InetAddress.getByName(explorerBind);
        } catch (java.net.UnknownHostException e) {
            throw new ConfigException("--explorer-bind: not an address: " + explorerBind);
        }
        Optional<String> token = Optional.empty();
        if (explorerTokenFile != null) {
            if (!Files.isReadable(explorerTokenFile)) {
                throw new ConfigException("--explorer-token-file: cannot read " + explorerTokenFile);
            }
            token = Optional.of(Files.readString(explorerTokenFile).strip());
        }
        ExplorerAccess access;
        try {
            access = ExplorerAccess.forBind(bindAddress, token);
        } catch (IllegalArgumentException e) {
            throw new ConfigException((token.isEmpty() ? "--explorer-bind " + explorerBind + ": pass --explorer-token-file; "
                    : "--explorer-token-file: ") + e.getMessage());
        }
        LiveHead live = new LiveHead(opened);
        toClose.push(live);
        parts.add(Supervisor.Part.reported("explorer", () -> live.problem().map(Health.Status::down)
                .orElse(Health.Status.working())));
        LedgerQueries queries = new LedgerQueries(opened, io.ledgerlb.allocator.controller.CoreAllocationStep.forCounting(),
                live::sequence);
        Thread warm = new Thread(() -> {
            try {
                long last = queries.lastSequence(); // reads every entry's time once: later searches are binary
                log.info("explorer: time index ready up to sequence {}", last);
            } catch (Exception e) {
                log.warn("explorer: the time index could not be built yet: {}", e.getMessage());
            }
        }, "explorer-index");
        warm.setDaemon(true);
        warm.start();
        ExplorerServer server = bind("explorer", () -> new ExplorerServer(new InetSocketAddress(bindAddress, explorerPort),
                new ExplorerApi(queries, live, access.tokenRequired()), access, live));
        toClose.push(server);
        return Optional.of(server);
    }

    /** Stops everything (idempotent; also the shutdown hook). */
    void stop() {
        synchronized (toClose) {
            while (!toClose.isEmpty()) {
                try {
                    toClose.pop().close();
                } catch (Exception e) {
                    log.warn("while stopping: {}", e.getMessage());
                }
            }
        }
        stopped.countDown();
    }

    /** For tests: true once everything started. */
    boolean ready() {
        return ready;
    }

    /** The kubeconfig's cluster when it answers; otherwise (or with --local) a local API with a kubeconfig in the data folder. */
    private KubernetesClient kubernetes(PrintWriter out) throws IOException {
        if (!local) {
            Optional<Config> config = clusterConfig();
            if (config.isPresent()) {
                try (KubernetesClient probe = new KubernetesClientBuilder().withConfig(quick(config.get())).build()) {
                    String version = probe.getKubernetesVersion().getGitVersion();
                    out.printf("kubernetes:  %s (%s)%n", config.get().getMasterUrl(), version);
                    return new KubernetesClientBuilder().withConfig(config.get()).build();
                } catch (RuntimeException e) {
                    if (kubeconfig != null) {
                        throw new ConfigException("the cluster of " + kubeconfig + " does not answer: " + e.getMessage());
                    }
                    out.printf("kubernetes:  %s does not answer (%s); using a local API instead%n",
                            config.get().getMasterUrl(), e.getClass().getSimpleName());
                }
            }
        }
        Path file = ledger.dataDir.resolve("kubeconfig");
        Path objects = ledger.dataDir.resolve(LOCAL_OBJECTS_FILE);
        MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
        LocalKubernetesApi api = startLocal(file, objects);
        toClose.push(api);
        out.printf("kubernetes:  local API at %s (fabric8's mock server; objects kept in %s; `kubectl get -w` does not stream)%n",
                api.url(), objects);
        out.printf("             KUBECONFIG=%s kubectl apply -f pool.yaml -f service.yaml%n", file);
        return api.client();
    }

    /** The local API, on the port it had before when none is given and that one is free, as a real server keeps its address. */
    private LocalKubernetesApi startLocal(Path kubeconfigFile, Path objects) {
        java.util.OptionalInt previous = LocalKubernetesApi.previousPort(kubeconfigFile);
        if (localPort == 0 && previous.isPresent()) {
            try {
                return LocalKubernetesApi.start(previous.getAsInt(), kubeconfigFile, objects);
            } catch (RuntimeException taken) {
                log.warn("the local API's previous port {} is taken ({}); using another", previous.getAsInt(), taken.getMessage());
            }
        }
        return LocalKubernetesApi.start(localPort, kubeconfigFile, objects);
    }

    private Optional<Config> clusterConfig() throws IOException {
        if (kubeconfig != null) {
            if (!Files.exists(kubeconfig)) {
                throw new ConfigException("no kubeconfig at " + kubeconfig);
            }
            return Optional.of(Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString()));
        }
        boolean configured = System.getenv("KUBECONFIG") != null
                || Files.exists(Path.of(System.getProperty("user.home"), ".kube", "config"))
                || System.getenv("KUBERNETES_SERVICE_HOST") != null;
        return configured ? Optional.of(Config.autoConfigure(null)) : Optional.empty();
    }

    /** For the probe: fail fast when nothing answers. */
    private static Config quick(Config config) {
        return new ConfigBuilder(config).withConnectionTimeout(3000).withRequestTimeout(5000)
                .withRequestRetryBackoffLimit(0).build();
    }

    private interface Opening<T> {
        T open() throws IOException;
    }

    private static <T> T bind(String what, Opening<T> opening) throws IOException {
        try {
            return opening.open();
        } catch (BindException e) {
            throw new ConfigException("the " + what + " port is in use (" + e.getMessage() + "); pass " + otherPortOption(what));
        } catch (IOException e) {
            if (e.getCause() instanceof BindException) {
                throw new ConfigException("the " + what + " port is in use; pass " + otherPortOption(what));
            }
            throw e;
        }
    }

    private static String otherPortOption(String what) {
        return what.equals("admin") ? "--admin 127.0.0.1:PORT" : "--" + what + "-port";
    }
}
