package io.ledgerlb.allocator.admin;

import com.google.protobuf.Timestamp;
import io.ledgerlb.admin.v1.AuditRequest;
import io.ledgerlb.events.v1.ConfigKind;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.ServiceRef;
import io.ledgerlb.ledger.state.ServiceKey;
import java.time.Instant;
import java.util.Optional;

/**
 * Which ledger entries an audit wants: those about a Service, an IP or a pool (all given criteria
 * must hold), within a time range.
 */
public record AuditQuery(Optional<ServiceKey> service, Optional<String> ip, Optional<String> pool,
                         Optional<Instant> since, Optional<Instant> until) {

    public static AuditQuery of(AuditRequest request) {
        return new AuditQuery(
                request.getService().isEmpty() ? Optional.empty() : Optional.of(ServiceKey.parse(request.getService())),
                request.getIp().isEmpty() ? Optional.empty() : Optional.of(request.getIp()),
                request.getPool().isEmpty() ? Optional.empty() : Optional.of(request.getPool()),
                request.hasSince() ? Optional.of(instant(request.getSince())) : Optional.empty(),
                request.hasUntil() ? Optional.of(instant(request.getUntil())) : Optional.empty());
    }

    public AuditRequest toRequest() {
        AuditRequest.Builder b = AuditRequest.newBuilder();
        service.ifPresent(s -> b.setService(s.toString()));
        ip.ifPresent(b::setIp);
        pool.ifPresent(b::setPool);
        since.ifPresent(t -> b.setSince(timestamp(t)));
        until.ifPresent(t -> b.setUntil(timestamp(t)));
        return b.build();
    }

    public boolean matches(Event event) {
        if (since.isPresent() || until.isPresent()) {
            Instant at = instant(event.getTime());
            if (since.isPresent() && at.isBefore(since.get()) || until.isPresent() && at.isAfter(until.get())) {
                return false;
            }
        }
        return service.map(s -> concernsService(event, s)).orElse(true)
                && ip.map(i -> i.equals(ipOf(event))).orElse(true)
                && pool.map(p -> concernsPool(event, p)).orElse(true);
    }

    private static boolean concernsService(Event event, ServiceKey service) {
        ServiceRef ref = switch (event.getBodyCase()) {
            case IP_ASSIGNED -> event.getIpAssigned().getService();
            case IP_RELEASED -> event.getIpReleased().getService();
            case ALLOCATION_REFUSED -> event.getAllocationRefused().getService();
            default -> null;
        };
        return ref != null && ServiceKey.of(ref).equals(service);
    }

    private static String ipOf(Event event) {
        return switch (event.getBodyCase()) {
            case IP_ASSIGNED -> event.getIpAssigned().getIp();
            case IP_RELEASED -> event.getIpReleased().getIp();
            default -> null;
        };
    }

    private static boolean concernsPool(Event event, String pool) {
        return switch (event.getBodyCase()) {
            case IP_ASSIGNED -> pool.equals(event.getIpAssigned().getPool());
            case IP_RELEASED -> pool.equals(event.getIpReleased().getPool());
            case POOL_DEFINED -> pool.equals(event.getPoolDefined().getName());
            case CONFIG_REMOVED -> event.getConfigRemoved().getKind() == ConfigKind.POOL
                    && pool.equals(event.getConfigRemoved().getName());
            default -> false;
        };
    }

    static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }
}
