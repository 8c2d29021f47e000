package io.ledgerlb.allocator.cli;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ledgerlb.admin.v1.LedgerAdminGrpc;
import io.ledgerlb.admin.v1.StatusRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/** Where a running allocator's admin API may answer; the commands read the ledger directly when none does. */
public final class AdminOptions {
    public static final int DEFAULT_PORT = 7473;
    public static final String DEFAULT_ADDRESS = "127.0.0.1:" + DEFAULT_PORT;

    @Option(names = "--admin", defaultValue = DEFAULT_ADDRESS, paramLabel = "HOST:PORT",
            description = "The admin API of a running allocator, used when it answers (default: ${DEFAULT-VALUE}).")
    String target;

    @Option(names = "--direct", description = "Read the ledger directly, even when an allocator answers.")
    boolean direct;

    /** A connected admin client, or empty when no allocator answers (nothing listening fails at once). */
    Optional<Admin> connect() {
        if (direct) {
            return Optional.empty();
        }
        ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
        var stub = LedgerAdminGrpc.newBlockingStub(channel);
        try {
            // refused at once when nothing listens; a busy allocator (or a cold client JVM) may take seconds
            stub.withDeadlineAfter(20, TimeUnit.SECONDS).status(StatusRequest.getDefaultInstance());
            return Optional.of(new Admin(channel, stub));
        } catch (StatusRuntimeException e) {
            channel.shutdownNow();
            return Optional.empty();
        }
    }

    /** An open admin connection. */
    record Admin(ManagedChannel channel, LedgerAdminGrpc.LedgerAdminBlockingStub stub) implements AutoCloseable {
        LedgerAdminGrpc.LedgerAdminBlockingStub call() {
            return stub.withDeadlineAfter(60, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            channel.shutdownNow();
        }
    }

    /**
     * A {@code HOST:PORT} where the admin API listens ({@code run --admin}); loopback only, since
     * the API has no authentication of its own. IPv6 hosts in brackets: {@code [::1]:7473}.
     */
    static InetSocketAddress listenAddress(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 1 || colon == hostPort.length() - 1) {
            throw new ConfigException("--admin " + hostPort + ": expected HOST:PORT, e.g. " + DEFAULT_ADDRESS);
        }
        String host = hostPort.substring(0, colon).replaceAll("^\\[|]$", "");
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException("--admin " + hostPort + ": the port is not a number");
        }
        if (port < 0 || port > 65_535) {
            throw new ConfigException("--admin " + hostPort + ": the port must be 0 (any) to 65535");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new ConfigException("--admin " + hostPort + ": unknown host " + host);
        }
        if (!address.isLoopbackAddress()) {
            throw new ConfigException("--admin " + hostPort + ": the admin API has no authentication and listens on "
                    + "loopback only (127.0.0.1 or [::1])");
        }
        return new InetSocketAddress(address, port);
    }
}
