package io.ledgerlb.kube.endpoint;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.ledgerlb.net.InvalidAddressException;
import io.ledgerlb.net.IpAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Option;

/**
 * Where a process serves {@code /metrics}, {@code /healthz} and {@code /readyz}, the same options
 * for the allocator and the speaker (a picocli mixin): the address to bind, and optionally a TLS
 * certificate and key (PEM files, as MetalLB serves metrics over HTTPS since 0.16). The default
 * address is every address, as before: the kubelet's probes and Prometheus reach a pod on its own
 * IP; deploy/ narrows the host-network speaker to its node's IP ({@code LEDGERLB_METRICS_BIND} from {@code status.hostIP}).
 */
public final class MetricsEndpointOptions {
    /** The environment variable that gives the bind address when the option is not given (deploy/: the node's IP). */
    public static final String BIND_ENV = "LEDGERLB_METRICS_BIND";

    @Option(names = "--metrics-bind", paramLabel = "ADDRESS", defaultValue = "${env:" + BIND_ENV + ":-0.0.0.0}",
            description = "The address /metrics, /healthz and /readyz listen on (default: $" + BIND_ENV + ", else 0.0.0.0: "
                    + "every address; 127.0.0.1: this host only).")
    String bind;

    @Option(names = "--metrics-tls-cert", paramLabel = "FILE",
            description = "Serve the metrics port over HTTPS with this certificate chain (PEM); needs --metrics-tls-key.")
    Path certificate;

    @Option(names = "--metrics-tls-key", paramLabel = "FILE",
            description = "The private key of --metrics-tls-cert (PEM PKCS#8: EC, RSA or Ed25519).")
    Path key;

    /** Options as if given on the command line (for callers without picocli). */
    public static MetricsEndpointOptions of(String bind, Path certificate, Path key) {
        MetricsEndpointOptions options = new MetricsEndpointOptions();
        options.bind = bind;
        options.certificate = certificate;
        options.key = key;
        return options;
    }

    public boolean tls() {
        return certificate != null;
    }

    /** {@code https} or {@code http}. */
    public String scheme() {
        return tls() ? "https" : "http";
    }

    /**
     * A server bound to the address and {@code port} (0: any free one), not started yet.
     *
     * @throws IllegalArgumentException for a bad address or half a TLS setting, with the option named
     * @throws IOException when the port cannot be bound or the TLS files cannot be read
     */
    public HttpServer open(int port) throws IOException {
        if ((certificate == null) != (key == null)) {
            throw new IllegalArgumentException("--metrics-tls-cert and --metrics-tls-key go together: give both or neither");
        }
        InetSocketAddress address = new InetSocketAddress(address(), port);
        if (!tls()) {
            return HttpServer.create(address, 0);
        }
        SSLContext context;
        try {
            context = PemTls.serverContext(certificate, key);
        } catch (GeneralSecurityException e) {
            throw new IOException("--metrics-tls-cert/--metrics-tls-key: " + e.getMessage(), e);
        }
        HttpsServer server = HttpsServer.create(address, 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        return server;
    }

    /** How to reach the server on {@code port} from this host: the bound address, or localhost when bound to every address. */
    public String hostAndPort(int port) {
        InetAddress address = address();
        String host = address.isAnyLocalAddress() ? "localhost" : address.getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private InetAddress address() {
        boolean bracketed = bind.startsWith("[") && bind.endsWith("]");
        try {
            return IpAddress.parseInet(bracketed ? bind.substring(1, bind.length() - 1) : bind);
        } catch (InvalidAddressException e) {
            throw new IllegalArgumentException("--metrics-bind: not an IP address: " + bind);
        }
    }
}
