package io.ledgerlb.lab.demo;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One node of the lab, run inside the node's namespace: a small HTTP server on port 80 standing
 * for the nginx pod behind the Service (the lab plays kube-proxy's part: the node takes the
 * Service's IP as a local address), then the speaker from the speaker jar, started through its
 * namespace launcher (which relays the ledger's Kafka port into the namespace).
 * {@code LabNode <node-name> -- <launcher args>}; killing this process is the node dying.
 */
public final class LabNode {
    /** The speaker's launcher, on the classpath beside this jar (the speaker jar's, or netns-lab's own). */
    static final String SPEAKER_LAUNCHER = "io.ledgerlb.speaker.lab.NetnsMain";

    private LabNode() {}

    public static void main(String[] args) throws Exception {
        String node = args[0];
        HttpServer http = HttpServer.create(new InetSocketAddress(80), 16);
        http.createContext("/", exchange -> {
            byte[] body = ("Welcome to nginx! (served by " + node + ")\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        Class.forName(SPEAKER_LAUNCHER).getMethod("main", String[].class)
                .invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
    }
}
