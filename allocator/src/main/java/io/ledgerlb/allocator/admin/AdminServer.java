package io.ledgerlb.allocator.admin;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** Serves the admin API over gRPC (plaintext: bind it to localhost or a protected network). */
public final class AdminServer implements AutoCloseable {
    private final Server server;

    public AdminServer(InetSocketAddress address, AdminService service) throws IOException {
        server = NettyServerBuilder.forAddress(address).addService(service).build().start();
    }

    /** False once the gRPC server shut down. */
    public boolean serving() {
        return !server.isShutdown();
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(3, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
