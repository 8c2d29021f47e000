package io.ledgerlb.ledger.event;

import io.ledgerlb.events.v1.ConfigKind;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.ServiceRef;
import io.ledgerlb.ledger.state.ServiceKey;
import java.util.Objects;
import java.util.Set;

/**
 * What an audit asks about: an IP, a Service (namespace/name) or a pool. {@link #of(Event)} says
 * which subjects an event concerns; both the audit's filter and the SQLite audit index use it, so
 * the index path and the full scan select the same entries.
 */
public record Subject(Kind kind, String key) {

    public enum Kind { IP, SERVICE, POOL }

    public Subject {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(key, "key");
    }

    public static Subject ip(String ip) {
        return new Subject(Kind.IP, ip);
    }

    public static Subject service(ServiceKey service) {
        return new Subject(Kind.SERVICE, service.toString());
    }

    public static Subject pool(String pool) {
        return new Subject(Kind.POOL, pool);
    }

    /**
     * The subjects an event concerns: an assignment or release its IP, Service and pool; a
     * refusal or the end of a wait its Service; a reservation claimed or released its Service and IPs; a pool's definition or removal that pool. Other events (advertisements,
     * peers, snapshots) concern none of them.
     */
    public static Set<Subject> of(Event event) {
        return switch (event.getBodyCase()) {
            case IP_ASSIGNED -> holding(event.getIpAssigned().getIp(), event.getIpAssigned().getService(),
                    event.getIpAssigned().getPool());
            case IP_RELEASED -> holding(event.getIpReleased().getIp(), event.getIpReleased().getService(),
                    event.getIpReleased().getPool());
            case ALLOCATION_REFUSED -> Set.of(service(ServiceKey.of(event.getAllocationRefused().getService())));
            case WAIT_ENDED -> Set.of(service(ServiceKey.of(event.getWaitEnded().getService())));
            case RESERVATION_CLAIMED -> reservation(event.getReservationClaimed().getService(),
                    event.getReservationClaimed().getIpsList());
            case RESERVATION_RELEASED -> reservation(event.getReservationReleased().getService(),
                    event.getReservationReleased().getIpsList());
            case POOL_DEFINED -> Set.of(pool(event.getPoolDefined().getName()));
            case CONFIG_REMOVED -> event.getConfigRemoved().getKind() == ConfigKind.POOL
                    ? Set.of(pool(event.getConfigRemoved().getName())) : Set.of();
            default -> Set.of();
        };
    }

    private static Set<Subject> reservation(ServiceRef service, java.util.List<String> ips) {
        Set<Subject> subjects = new java.util.HashSet<>();
        subjects.add(service(ServiceKey.of(service)));
        ips.forEach(ip -> subjects.add(ip(ip)));
        return Set.copyOf(subjects);
    }

    private static Set<Subject> holding(String ip, ServiceRef service, String pool) {
        return Set.of(ip(ip), service(ServiceKey.of(service)), pool(pool));
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase() + " " + key;
    }
}
