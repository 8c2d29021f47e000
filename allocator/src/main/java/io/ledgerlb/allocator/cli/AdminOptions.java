package io.ledgerlb.allocator.cli;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ledgerlb.admin.v1.LedgerAdminGrpc;
import io.ledgerlb.admin.v1.StatusRequest;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/** Where a running allocator's admin API may answer; the commands read the ledger directly when none does. */
public final class AdminOptions {
    public static final int DEFAULT_PORT = 7473;

    @Option(names = "--admin", defaultValue = "127.0.0.1:" + DEFAULT_PORT, paramLabel = "HOST:PORT",
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
}
