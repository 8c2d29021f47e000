package io.ledgerlb.allocator.admin;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.ledgerlb.admin.v1.AuditRequest;
import io.ledgerlb.admin.v1.AuditResponse;
import io.ledgerlb.admin.v1.LedgerAdminGrpc;
import io.ledgerlb.admin.v1.Reservation;
import io.ledgerlb.admin.v1.RestoreRequest;
import io.ledgerlb.admin.v1.RestoreResponse;
import io.ledgerlb.allocator.controller.RestoreCommand;
import io.ledgerlb.allocator.controller.RestoreStatus;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.admin.v1.StateRequest;
import io.ledgerlb.admin.v1.StateResponse;
import io.ledgerlb.admin.v1.StatusRequest;
import io.ledgerlb.admin.v1.StatusResponse;
import io.ledgerlb.admin.v1.TakeSnapshotRequest;
import io.ledgerlb.admin.v1.TakeSnapshotResponse;
import io.ledgerlb.ledger.SnapshotInfo;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.state.LedgerState;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The admin API of a running allocator: audit and state queries over its ledger, its status, snapshots. */
public final class AdminService extends LedgerAdminGrpc.LedgerAdminImplBase {

    /** What the running allocator offers besides the ledger. */
    public interface Allocator {
        StatusResponse status();

        /** Takes a snapshot of the leader's state; IllegalStateException on a standby. */
        SnapshotInfo takeSnapshot() throws Exception;

        /** Starts or ends restore mode, or releases a reservation (the leader only). */
        default RestoreStatus restore(RestoreRequest request) throws Exception {
            throw new IllegalStateException("this allocator takes no restore-mode commands");
        }
    }

    private final LedgerQueries queries;
    private final Allocator allocator;
    private final Supplier<LedgerState> latest;

    /** @param latest the state folded so far (the answer when a state request names no point) */
    public AdminService(LedgerQueries queries, Allocator allocator, Supplier<LedgerState> latest) {
        this.queries = queries;
        this.allocator = allocator;
        this.latest = latest;
    }

    @Override
    public void audit(AuditRequest request, StreamObserver<AuditResponse> response) {
        answer(response, () -> AuditResponse.newBuilder()
                .addAllEvents(queries.audit(AuditQuery.of(request))).build());
    }

    @Override
    public void state(StateRequest request, StreamObserver<StateResponse> response) {
        answer(response, () -> {
            if (request.getAtSequence() > 0) {
                return queries.describe(queries.stateAt(request.getAtSequence()));
            }
            if (request.hasAtTime()) {
                return queries.describe(queries.stateAt(queries.sequenceAt(AuditQuery.instant(request.getAtTime()))));
            }
            return queries.describe(latest.get());
        });
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
        answer(response, allocator::status);
    }

    @Override
    public void takeSnapshot(TakeSnapshotRequest request, StreamObserver<TakeSnapshotResponse> response) {
        answer(response, () -> {
            SnapshotInfo info = allocator.takeSnapshot();
            return TakeSnapshotResponse.newBuilder().setSequence(info.sequence()).setLocation(info.location())
                    .setSha256Hex(info.sha256Hex()).setSizeBytes(info.sizeBytes()).build();
        });
    }

    @Override
    public void restore(RestoreRequest request, StreamObserver<RestoreResponse> response) {
        answer(response, () -> {
            if (request.getAction() != RestoreRequest.Action.STATUS) {
                return restoreResponse(allocator.restore(request));
            }
            StatusResponse status = allocator.status();
            if (!status.getLeader()) {
                // a standby folds no state: its empty one would say "off, nothing missing"
                throw new IllegalStateException("allocator " + status.getInstance() + " is a standby and holds no "
                        + "state; ask the leader's admin API, or read the ledger with --direct");
            }
            return restoreResponse(RestoreStatus.of(latest.get()));
        });
    }

    public static RestoreResponse restoreResponse(RestoreStatus status) {
        RestoreResponse.Builder response = RestoreResponse.newBuilder().setRestoring(status.restoring())
                .setSequence(status.sequence()).addAllReleasedIps(status.releasedIps());
        status.missing().forEach((service, ips) -> response.addMissing(Reservation.newBuilder()
                .setNamespace(service.namespace()).setName(service.name()).addAllIps(ips)));
        return response.build();
    }

    /** The controller's command for an admin API request (not STATUS, which the state answers). */
    public static RestoreCommand command(RestoreRequest request) {
        return switch (request.getAction()) {
            case START -> RestoreCommand.start();
            case RELEASE -> RestoreCommand.release(ServiceKey.parse(request.getService()));
            case END -> RestoreCommand.end();
            default -> throw new IllegalArgumentException("not a restore command: " + request.getAction());
        };
    }

    /** The outcome of a queued command, its own exception (not ExecutionException's) when it failed. */
    public static <T> T await(CompletableFuture<T> future) throws Exception {
        try {
            return future.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static <T> void answer(StreamObserver<T> response, Callable<T> call) {
        try {
            response.onNext(call.call());
            response.onCompleted();
        } catch (IllegalArgumentException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        } catch (IllegalStateException e) {
            response.onError(Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException());
        } catch (LedgerFormatException e) {
            response.onError(Status.DATA_LOSS.withDescription(e.getMessage()).asRuntimeException());
        } catch (Exception e) {
            response.onError(Status.INTERNAL.withDescription(String.valueOf(e.getMessage())).asRuntimeException());
        }
    }
}
