package io.ledgerlb.kube.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** --metrics-bind narrows the listening address; --metrics-tls-cert/-key serve the same paths over HTTPS only. */
class MetricsEndpointOptionsTest {
    @Test
    void aLoopbackBindIsReachableOnLoopbackOnly() throws Exception {
        MetricsEndpointOptions options = parse("--metrics-bind", "127.0.0.1");
        HttpServer server = serve(options);
        try {
            assertThat(server.getAddress().getAddress().isLoopbackAddress()).isTrue();
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.body()).isEqualTo("up 1\n");
            Optional<InetAddress> other = nonLoopbackAddress();
            if (other.isPresent()) { // the same port on this host's other address answers nothing
                assertThatThrownBy(() -> new Socket(other.get(), server.getAddress().getPort()).close()).isInstanceOf(ConnectException.class);
            }
        } finally {
            server.stop(0);
        }
        assertThat(parse().open(0).getAddress().getAddress().isAnyLocalAddress()).as("the default: every address").isTrue();
    }

    @Test
    void withACertificateAndKeyTheEndpointSpeaksHttpsOnly(@TempDir Path dir) throws Exception {
        KeyStore made = selfSigned(dir);
        Path cert = dir.resolve("metrics.crt");
        Path key = dir.resolve("metrics.key");
        Certificate certificate = made.getCertificate("metrics");
        Files.writeString(cert, pem("CERTIFICATE", certificate.getEncoded()));
        Files.writeString(key, pem("PRIVATE KEY", made.getKey("metrics", "changeit".toCharArray()).getEncoded()));

        MetricsEndpointOptions options = parse("--metrics-bind", "127.0.0.1", "--metrics-tls-cert", cert.toString(),
                "--metrics-tls-key", key.toString());
        assertThat(options.scheme()).isEqualTo("https");
        HttpServer server = serve(options);
        int port = server.getAddress().getPort();
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("metrics", certificate);
            TrustManagerFactory trusting = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trusting.init(trust);
            SSLContext client = SSLContext.getInstance("TLS");
            client.init(null, trusting.getTrustManagers(), null);
            HttpResponse<String> answer = HttpClient.newBuilder().sslContext(client).build().send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("up 1\n");

            // a client that does not trust the certificate is refused, and plain HTTP gets no metrics
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port
                    + "/metrics")).build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
            try (Socket plain = new Socket("127.0.0.1", port)) {
                plain.setSoTimeout(5_000);
                plain.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = plain.getInputStream();
                String reply = new String(in.readNBytes(64), StandardCharsets.ISO_8859_1);
                assertThat(reply).doesNotContain("up 1");
            } catch (java.io.IOException refused) {
                // the TLS server closing on a plain request is as good
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void halfATlsSettingOrANameInsteadOfAnAddressIsRefusedNamingTheOption(@TempDir Path dir) {
        assertThatThrownBy(() -> parse("--metrics-tls-cert", dir.resolve("c.pem").toString()).open(0))
                .hasMessageContaining("--metrics-tls-key");
        assertThatThrownBy(() -> parse("--metrics-bind", "metrics.example").open(0)).hasMessageContaining("--metrics-bind");
    }

    private static MetricsEndpointOptions parse(String... args) {
        MetricsEndpointOptions options = new MetricsEndpointOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }

    private static HttpServer serve(MetricsEndpointOptions options) throws Exception {
        HttpServer server = options.open(0);
        server.createContext("/metrics", exchange -> {
            byte[] body = "up 1\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    /** A self-signed EC certificate for 127.0.0.1, made by the JDK's keytool. */
    private static KeyStore selfSigned(Path dir) throws Exception {
        Path store = dir.resolve("made.p12");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "metrics", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-keypass", "changeit"));
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor()).as(output).isZero();
        KeyStore loaded = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            loaded.load(in, "changeit".toCharArray());
        }
        return loaded;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws Exception {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        return Optional.of(a);
                    }
                }
            }
        }
        return Optional.empty();
    }
}
