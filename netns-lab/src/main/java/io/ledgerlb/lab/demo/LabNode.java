package io.ledgerlb.lab.demo;

import com.sun.net.httpserver.HttpServer;
import io.ledgerlb.speaker.lab.NetnsMain;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One node of the lab, run inside the node's namespace: a small HTTP server on port 80 standing
 * for the nginx pod behind the Service (the lab plays kube-proxy's part: the node takes the
 * Service's IP as a local address), then the speaker from the speaker jar (on the class path
 * beside this jar), through {@link NetnsMain}, which relays Kafka and the API into the namespace.
 * {@code LabNode <node-name> -- <launcher args>}; killing this process is the node dying.
 */
public final class LabNode {
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
        NetnsMain.main(Arrays.copyOfRange(args, 2, args.length));
    }
}
