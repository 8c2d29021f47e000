package io.ledgerlb.allocator.k8s.local;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kubernetes API on a local port, for machines without a cluster: fabric8's mock server in CRUD
 * mode behind {@link KubectlBridge}, and a kubeconfig file that points kubectl (and the allocator)
 * at it. Objects live in memory, and optionally in a file that a restart loads again.
 */
public final class LocalKubernetesApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalKubernetesApi.class);
    static final String CONTEXT = "ledgerlb-local";

    private final KubernetesMockServer server;
    private final Path kubeconfig;
    private final KubernetesCrudDispatcher crud;

    private LocalKubernetesApi(KubernetesMockServer server, Path kubeconfig, KubernetesCrudDispatcher crud) {
        this.server = server;
        this.kubeconfig = kubeconfig;
        this.crud = crud;
    }

    /**
     * Starts the API on 127.0.0.1 and writes its kubeconfig; objects live in memory only.
     *
     * @param port       0 for any free port
     * @param kubeconfig where to write the kubeconfig (parent folders are created)
     */
    public static LocalKubernetesApi start(int port, Path kubeconfig) {
        return start(port, kubeconfig, null);
    }

    /**
     * As {@link #start(int, Path)}, keeping the objects in {@code objects} (when not null) across
     * restarts, as a real API server keeps them: loaded at start, every change written before it
     * is answered.
     */
    public static LocalKubernetesApi start(int port, Path kubeconfig, Path objects) {
        KubernetesCrudDispatcher crud = objects == null ? new KubernetesCrudDispatcher(Discovery.customResources())
                : new PersistentCrudDispatcher(Discovery.customResources(), objects);
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubectlBridge(crud, Clock.systemUTC()), false);
        server.init(InetAddress.getLoopbackAddress(), port);
        LocalKubernetesApi api = new LocalKubernetesApi(server, kubeconfig, crud);
        try {
            if (kubeconfig.toAbsolutePath().getParent() != null) {
                Files.createDirectories(kubeconfig.toAbsolutePath().getParent());
            }
            Files.writeString(kubeconfig, api.kubeconfigYaml());
        } catch (IOException e) {
            api.close();
            throw new UncheckedIOException("cannot write the kubeconfig " + kubeconfig, e);
        }
        LOG.info("local Kubernetes API at {}; kubectl --kubeconfig {}", api.url(), kubeconfig);
        return api;
    }

    /** The port a kubeconfig written by this class points at, so that a restart can keep the address. */
    public static java.util.OptionalInt previousPort(Path kubeconfig) {
        try {
            if (Files.exists(kubeconfig)) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("server: http://127\\.0\\.0\\.1:(\\d+)")
                        .matcher(Files.readString(kubeconfig));
                if (m.find()) {
                    return java.util.OptionalInt.of(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException | NumberFormatException e) {
            LOG.debug("no previous port in {}: {}", kubeconfig, e.getMessage());
        }
        return java.util.OptionalInt.empty();
    }

    /** {@code http://127.0.0.1:<port>} */
    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    /** A client of this API, configured from the kubeconfig as any other client would be. */
    public KubernetesClient client() {
        Config config = Config.fromKubeconfig(CONTEXT, kubeconfigYaml(), kubeconfig.toString());
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    String kubeconfigYaml() {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: %1$s
                  cluster:
                    server: %2$s
                users:
                - name: %1$s
                  user: {}
                contexts:
                - name: %1$s
                  context:
                    cluster: %1$s
                    user: %1$s
                    namespace: default
                current-context: %1$s
                """.formatted(CONTEXT, url());
    }

    @Override
    public void close() {
        server.destroy();
        if (crud instanceof PersistentCrudDispatcher persistent) {
            persistent.close();
        }
    }
}
