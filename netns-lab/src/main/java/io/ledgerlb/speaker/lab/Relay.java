package io.ledgerlb.speaker.lab;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Carries TCP between network namespaces through a Unix socket (the file system is shared by all
 * namespaces): a speaker in a node's namespace reaches the test JVM's Kafka broker and mock API
 * server at 127.0.0.1:port as if they were local, and no interface is added to the host.
 */
public final class Relay implements Closeable {
    private final ServerSocketChannel server;
    private final Thread acceptor;

    private Relay(ServerSocketChannel server, SocketAddress target, StandardProtocolFamily targetFamily) {
        this.server = server;
        this.acceptor = new Thread(() -> {
            while (server.isOpen()) {
                try {
                    SocketChannel in = server.accept();
                    SocketChannel out = SocketChannel.open(targetFamily);
                    out.connect(target);
                    noDelay(in);
                    noDelay(out);
                    pump(in, out);
                    pump(out, in);
                } catch (IOException e) {
                    // closed, or the target is gone: the client sees its connection fail
                }
            }
        }, "relay-" + target);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Host side: a Unix socket at {@code socket} forwarding to 127.0.0.1:{@code port}. */
    public static Relay unixToTcp(Path socket, int port) throws IOException {
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return new Relay(server, new InetSocketAddress("127.0.0.1", port), StandardProtocolFamily.INET);
    }

    /** Namespace side: 127.0.0.1:{@code port} forwarding to the Unix socket. */
    public static Relay tcpToUnix(int port, Path socket) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET);
        server.bind(new InetSocketAddress("127.0.0.1", port));
        return new Relay(server, UnixDomainSocketAddress.of(socket), StandardProtocolFamily.UNIX);
    }

    /**
     * Sends what the relay writes at once: with Nagle's algorithm a relayed message that arrives in
     * two reads waits for the ACK of its first part, which the other end delays by up to 40 ms.
     */
    private static void noDelay(SocketChannel channel) throws IOException {
        if (channel.getRemoteAddress() instanceof InetSocketAddress) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
    }

    private static void pump(SocketChannel from, SocketChannel to) {
        Thread t = new Thread(() -> {
            ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
            try {
                while (from.read(buffer) >= 0) {
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        to.write(buffer);
                    }
                    buffer.clear();
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }, "relay-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
