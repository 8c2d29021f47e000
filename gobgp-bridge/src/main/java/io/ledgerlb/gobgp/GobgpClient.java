package io.ledgerlb.gobgp;

import com.google.protobuf.Empty;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.ledgerlb.gobgp.api.AddPathRequest;
import io.ledgerlb.gobgp.api.AddPathStreamRequest;
import io.ledgerlb.gobgp.api.AddPeerRequest;
import io.ledgerlb.gobgp.api.DeletePathRequest;
import io.ledgerlb.gobgp.api.DeletePeerRequest;
import io.ledgerlb.gobgp.api.GetBgpRequest;
import io.ledgerlb.gobgp.api.Global;
import io.ledgerlb.gobgp.api.GobgpApiGrpc;
import io.ledgerlb.gobgp.api.ListPathRequest;
import io.ledgerlb.gobgp.api.ListPeerRequest;
import io.ledgerlb.gobgp.api.Path;
import io.ledgerlb.gobgp.api.StartBgpRequest;
import io.ledgerlb.gobgp.api.StopBgpRequest;
import io.ledgerlb.gobgp.api.TableType;
import io.ledgerlb.gobgp.api.WatchEventRequest;
import io.ledgerlb.gobgp.api.WatchEventResponse;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The gRPC calls to one gobgpd, in the bridge's terms. Thin and blocking (each call has a
 * deadline); it decides nothing. Target: "127.0.0.1:50051" or "unix:///path/to/socket".
 */
public final class GobgpClient implements AutoCloseable {

    /** Paths per AddPathStream message. */
    private static final int STREAM_BATCH = 256;

    private final ManagedChannel channel;
    private final GobgpApiGrpc.GobgpApiBlockingStub blocking;
    private final GobgpApiGrpc.GobgpApiStub async;
    private final Duration callTimeout;
    private final String target;

    public GobgpClient(String target, Duration callTimeout) {
        this.target = target;
        this.channel = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
        this.blocking = GobgpApiGrpc.newBlockingStub(channel);
        this.async = GobgpApiGrpc.newStub(channel);
        this.callTimeout = callTimeout;
    }

    public String target() {
        return target;
    }

    /** gobgpd's running instance; empty when BGP has not been started. */
    public Optional<Global> global() {
        Global global = call().getBgp(GetBgpRequest.getDefaultInstance()).getGlobal();
        return global.getAsn() == 0 ? Optional.empty() : Optional.of(global);
    }

    public void start(BgpGlobal global) {
        call().startBgp(StartBgpRequest.newBuilder().setGlobal(ApiCodec.global(global)).build());
    }

    public void stop() {
        call().stopBgp(StopBgpRequest.getDefaultInstance());
    }

    public List<ObservedPeer> peers() {
        List<ObservedPeer> peers = new ArrayList<>();
        call().listPeer(ListPeerRequest.getDefaultInstance()).forEachRemaining(r -> peers.add(ApiCodec.observed(r.getPeer())));
        return peers;
    }

    public void addPeer(DesiredPeer peer) {
        call().addPeer(AddPeerRequest.newBuilder().setPeer(ApiCodec.peer(peer)).build());
    }

    public void deletePeer(InetAddress address) {
        call().deletePeer(DeletePeerRequest.newBuilder().setAddress(Addresses.text(address)).build());
    }

    /** The paths this gobgpd originated itself (added over the API or its CLI), not those learned from peers. */
    public List<ObservedPath> localPaths(RouteFamily family) {
        List<ObservedPath> paths = new ArrayList<>();
        ListPathRequest request = ListPathRequest.newBuilder().setTableType(TableType.GLOBAL).setFamily(family.api()).build();
        call().listPath(request).forEachRemaining(r -> r.getDestination().getPathsList().stream()
                .filter(GobgpClient::local)
                .forEach(p -> ApiCodec.observed(p).ifPresent(paths::add)));
        return paths;
    }

    /** Adds (or replaces) one path; returns its uuid. */
    public byte[] addPath(DesiredPath path) {
        return call().addPath(AddPathRequest.newBuilder().setTableType(TableType.GLOBAL).setPath(ApiCodec.path(path)).build())
                .getUuid().toByteArray();
    }

    /** Adds (or replaces) many paths over one AddPathStream call. */
    public void addPaths(Collection<DesiredPath> paths) {
        stream(paths.stream().map(ApiCodec::path).toList());
    }

    /**
     * Withdraws many paths, each exactly as {@link #localPaths} listed it, over one AddPathStream
     * call (gobgpd withdraws a path sent with is_withdraw, and only that prefix).
     */
    public void withdrawPaths(Collection<Path> listed) {
        listed.forEach(GobgpClient::requireScoped);
        stream(listed.stream().map(p -> p.toBuilder().setIsWithdraw(true).build()).toList());
    }

    private void stream(List<Path> paths) {
        CompletableFuture<Empty> done = new CompletableFuture<>();
        StreamObserver<AddPathStreamRequest> requests = async.withDeadlineAfter(callTimeout.toMillis() + paths.size(), TimeUnit.MILLISECONDS)
                .addPathStream(completing(done));
        for (int from = 0; from < paths.size(); from += STREAM_BATCH) {
            requests.onNext(AddPathStreamRequest.newBuilder().setTableType(TableType.GLOBAL)
                    .addAllPaths(paths.subList(from, Math.min(paths.size(), from + STREAM_BATCH))).build());
        }
        requests.onCompleted();
        await(done);
    }

    /**
     * Deletes one path exactly as {@link #localPaths} listed it. Refuses a path without NLRI:
     * gobgpd reads a DeletePath with neither path nor uuid as "delete every local path".
     */
    public void deletePath(Path listed) {
        requireScoped(listed);
        call().deletePath(DeletePathRequest.newBuilder()
                .setTableType(TableType.GLOBAL).setFamily(listed.getFamily()).setPath(listed).build());
    }

    /**
     * Streams neighbor state changes (gobgpd first sends every neighbor's current state) until
     * the returned handle is closed or the stream ends; {@code ended} then gets the reason.
     */
    public AutoCloseable watchPeers(Consumer<ObservedPeer> changed, Consumer<Throwable> ended) {
        CompletableFuture<ClientCallStreamObserver<WatchEventRequest>> call = new CompletableFuture<>();
        async.watchEvent(WatchEventRequest.newBuilder().setPeer(WatchEventRequest.Peer.getDefaultInstance()).build(),
                new ClientResponseObserver<WatchEventRequest, WatchEventResponse>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<WatchEventRequest> stream) {
                        call.complete(stream);
                    }

                    @Override
                    public void onNext(WatchEventResponse event) {
                        if (event.hasPeer() && event.getPeer().hasPeer() && event.getPeer().getType() != WatchEventResponse.PeerEvent.Type.END_OF_INIT) {
                            changed.accept(ApiCodec.observed(event.getPeer().getPeer()));
                        }
                    }

                    @Override
                    public void onError(Throwable error) {
                        ended.accept(error);
                    }

                    @Override
                    public void onCompleted() {
                        ended.accept(new IllegalStateException("gobgpd ended the event stream"));
                    }
                });
        return () -> call.join().cancel("bridge closed", null);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void requireScoped(Path listed) {
        if (!listed.hasNlri() || !listed.hasFamily()) {
            throw new IllegalArgumentException("refusing an unscoped delete: the path has no NLRI or family");
        }
    }

    /** Paths gobgpd originated: no neighbor is their source. */
    private static boolean local(Path path) {
        return path.getNeighborIp().isEmpty() || "<nil>".equals(path.getNeighborIp());
    }

    private GobgpApiGrpc.GobgpApiBlockingStub call() {
        return blocking.withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    private static <T> StreamObserver<T> completing(CompletableFuture<T> done) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                done.complete(value);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }

            @Override
            public void onCompleted() {
                done.complete(null);
            }
        };
    }
}
