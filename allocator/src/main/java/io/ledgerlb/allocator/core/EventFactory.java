package io.ledgerlb.allocator.core;

import com.google.protobuf.Timestamp;
import io.ledgerlb.events.v1.AllocationRefused;
import io.ledgerlb.events.v1.Cause;
import io.ledgerlb.events.v1.ConfigKind;
import io.ledgerlb.events.v1.ConfigRemoved;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.IpReleased;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.events.v1.ReleaseReason;
import io.ledgerlb.events.v1.ReservationClaimed;
import io.ledgerlb.events.v1.ReservationReleased;
import io.ledgerlb.events.v1.RestoreEnded;
import io.ledgerlb.events.v1.RestoreStarted;
import io.ledgerlb.events.v1.ServiceRef;
import io.ledgerlb.events.v1.WaitEnded;
import java.util.List;
import java.time.Instant;

/** Builds the event bodies of one decision: all with the same time, actor and cause. */
final class EventFactory {
    private final Timestamp time;
    private final String actor;
    private final Cause cause;

    EventFactory(String actor, Cause cause, Instant now) {
        this.time = Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
        this.actor = actor;
        this.cause = cause;
    }

    /** The same factory with another cause reason. */
    EventFactory because(String reason) {
        return new EventFactory(actor, cause.toBuilder().setReason(reason).build(), time);
    }

    private EventFactory(String actor, Cause cause, Timestamp time) {
        this.time = time;
        this.actor = actor;
        this.cause = cause;
    }

    private Event.Builder event() {
        return Event.newBuilder().setTime(time).setActor(actor).setCause(cause);
    }

    Event assigned(IpAssigned assigned) {
        return event().setIpAssigned(assigned).build();
    }

    Event released(IpAssigned holding, ReleaseReason reason) {
        return event().setIpReleased(IpReleased.newBuilder()
                .setService(holding.getService())
                .setIp(holding.getIp())
                .setPool(holding.getPool())
                .setReason(reason)).build();
    }

    Event refused(ServiceRef service, String reason, String message) {
        return event().setAllocationRefused(AllocationRefused.newBuilder()
                .setService(service).setReason(reason).setMessage(message)).build();
    }

    Event waitEnded(ServiceRef service, String reason) {
        return event().setWaitEnded(WaitEnded.newBuilder().setService(service).setReason(reason)).build();
    }

    Event poolDefined(PoolDefined pool) {
        return event().setPoolDefined(pool).build();
    }

    Event poolRemoved(String pool) {
        return event().setConfigRemoved(ConfigRemoved.newBuilder().setKind(ConfigKind.POOL).setName(pool)).build();
    }

    Event restoreStarted(int reservedServices) {
        return event().setRestoreStarted(RestoreStarted.newBuilder().setReservedServices(reservedServices)).build();
    }

    Event reservationClaimed(ServiceRef service, List<String> ips) {
        return event().setReservationClaimed(ReservationClaimed.newBuilder().setService(service).addAllIps(ips)).build();
    }

    Event reservationReleased(ServiceRef service, List<String> ips) {
        return event().setReservationReleased(ReservationReleased.newBuilder().setService(service).addAllIps(ips)).build();
    }

    Event restoreEnded(int releasedServices) {
        return event().setRestoreEnded(RestoreEnded.newBuilder().setReleasedServices(releasedServices)).build();
    }
}
