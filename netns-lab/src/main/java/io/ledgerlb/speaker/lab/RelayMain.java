package io.ledgerlb.speaker.lab;

import java.nio.file.Path;

/**
 * The host side of {@link NetnsMain}: serves {@code <dir>/<port>.sock} for each port, forwarding
 * to 127.0.0.1:port (for example the allocator's embedded Kafka), until killed.
 * {@code RelayMain <dir> <port,port,...>}.
 */
public final class RelayMain {
    private RelayMain() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        for (String port : args[1].split(",")) {
            int p = Integer.parseInt(port);
            Relay.unixToTcp(dir.resolve(p + ".sock"), p);
        }
        Thread.currentThread().join();
    }
}
