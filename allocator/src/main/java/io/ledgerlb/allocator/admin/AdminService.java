package io.ledgerlb.allocator.admin;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.ledgerlb.admin.v1.AuditRequest;
import io.ledgerlb.admin.v1.AuditResponse;
import io.ledgerlb.admin.v1.LedgerAdminGrpc;
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
import java.util.function.Supplier;

/** The admin API of a running allocator: audit and state queries over its ledger, its status, snapshots. */
public final class AdminService extends LedgerAdminGrpc.LedgerAdminImplBase {

    /** What the running allocator offers besides the ledger. */
    public interface Allocator {
        StatusResponse status();

        /** Takes a snapshot of the leader's state; IllegalStateException on a standby. */
        SnapshotInfo takeSnapshot() throws Exception;
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
