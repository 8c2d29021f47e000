package io.ledgerlb.allocator.admin;

import com.google.protobuf.Timestamp;
import io.ledgerlb.admin.v1.AuditRequest;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.event.Subject;
import io.ledgerlb.ledger.state.ServiceKey;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

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

    /** Whether the query selects the event: in the time range, and concerning every subject asked about. */
    public Predicate<Event> filter() {
        Set<Subject> wanted = subjects();
        return event -> inTimeRange(event) && (wanted.isEmpty() || Subject.of(event).containsAll(wanted));
    }

    private boolean inTimeRange(Event event) {
        if (since.isEmpty() && until.isEmpty()) {
            return true;
        }
        Instant at = instant(event.getTime());
        return !(since.isPresent() && at.isBefore(since.get()) || until.isPresent() && at.isAfter(until.get()));
    }

    /** The subjects every selected entry concerns (none for a query by time only). */
    public Set<Subject> subjects() {
        Set<Subject> subjects = new HashSet<>();
        service.ifPresent(s -> subjects.add(Subject.service(s)));
        ip.ifPresent(i -> subjects.add(Subject.ip(i)));
        pool.ifPresent(p -> subjects.add(Subject.pool(p)));
        return subjects;
    }

    static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }
}
