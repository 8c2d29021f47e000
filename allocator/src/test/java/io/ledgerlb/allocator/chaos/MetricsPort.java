package io.ledgerlb.allocator.chaos;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A process's {@code /readyz} and {@code /metrics} on loopback, as a probe and a scraper see them. */
final class MetricsPort {
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    MetricsPort(int port) {
        this.port = port;
    }

    /** A port free on loopback now. */
    static int free() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    /** True when {@code /readyz} answers 200; false when it answers otherwise or not at all. */
    boolean ready() {
        try {
            return http.send(request("/readyz"), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The text of {@code /metrics}. */
    String scrape() throws IOException, InterruptedException {
        return http.send(request("/metrics"), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** A gauge's value from {@code /metrics} (its first sample). */
    long metric(String name) throws IOException, InterruptedException {
        return scrape().lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{")).findFirst()
                .map(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .orElseThrow(() -> new IllegalStateException("no " + name + " in /metrics"));
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build();
    }
}
