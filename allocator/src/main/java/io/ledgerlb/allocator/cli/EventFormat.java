package io.ledgerlb.allocator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.ServiceRef;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Ledger events as table rows and as JSON objects, for audit and replay output. */
public final class EventFormat {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private EventFormat() {}

    /** One row: what happened, to whom, which IP and pool, and why. */
    public record Row(long sequence, String time, String actor, String type, String subject, String ip, String pool,
               String why) {}

    public static Row row(Event e) {
        String subject = "";
        String ip = "";
        String pool = "";
        String why = e.getCause().getReason();
        switch (e.getBodyCase()) {
            case IP_ASSIGNED -> {
                subject = service(e.getIpAssigned().getService());
                ip = e.getIpAssigned().getIp();
                pool = e.getIpAssigned().getPool();
            }
            case IP_RELEASED -> {
                subject = service(e.getIpReleased().getService());
                ip = e.getIpReleased().getIp();
                pool = e.getIpReleased().getPool();
                why = e.getIpReleased().getReason().name();
            }
            case ALLOCATION_REFUSED -> {
                subject = service(e.getAllocationRefused().getService());
                why = e.getAllocationRefused().getReason() + ": " + e.getAllocationRefused().getMessage();
            }
            case WAIT_ENDED -> {
                subject = service(e.getWaitEnded().getService());
                why = e.getWaitEnded().getReason();
            }
            case POOL_DEFINED -> {
                pool = e.getPoolDefined().getName();
                subject = "IPAddressPool/" + pool;
                why = why + " " + e.getPoolDefined().getAddressesList();
            }
            case CONFIG_REMOVED -> subject = e.getConfigRemoved().getKind() + "/" + e.getConfigRemoved().getName();
            case RESTORE_STARTED -> why = "restore mode on: " + e.getRestoreStarted().getReservedServices()
                    + " Services reserved until they reappear";
            case RESERVATION_CLAIMED -> {
                subject = service(e.getReservationClaimed().getService());
                ip = String.join(",", e.getReservationClaimed().getIpsList());
                why = "reappeared while restoring";
            }
            case RESERVATION_RELEASED -> {
                subject = service(e.getReservationReleased().getService());
                ip = String.join(",", e.getReservationReleased().getIpsList());
                why = "released by an operator while missing";
            }
            case RESTORE_ENDED -> why = "restore mode off: " + e.getRestoreEnded().getReleasedServices()
                    + " missing Services released";
            case SNAPSHOT_TAKEN -> why = "covers " + e.getSnapshotTaken().getCoversSequence() + " in "
                    + e.getSnapshotTaken().getLocation();
            default -> subject = e.getCause().getKind() + "/" + e.getCause().getName();
        }
        return new Row(e.getSequence(), time(e), e.getActor(), type(e), subject, ip, pool, why);
    }

    public static String type(Event e) {
        String snake = e.getBodyCase().name().toLowerCase();
        StringBuilder camel = new StringBuilder();
        for (String part : snake.split("_")) {
            camel.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return camel.toString();
    }

    static String time(Event e) {
        return Instant.ofEpochSecond(e.getTime().getSeconds(), e.getTime().getNanos())
                .truncatedTo(ChronoUnit.MILLIS).toString();
    }

    public static Map<String, Object> json(Event e) {
        Row row = row(e);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sequence", row.sequence());
        out.put("time", row.time());
        out.put("actor", row.actor());
        out.put("type", row.type());
        out.put("subject", row.subject());
        out.put("ip", row.ip());
        out.put("pool", row.pool());
        out.put("why", row.why());
        Map<String, Object> cause = new LinkedHashMap<>();
        cause.put("kind", e.getCause().getKind());
        cause.put("namespace", e.getCause().getNamespace());
        cause.put("name", e.getCause().getName());
        cause.put("uid", e.getCause().getUid());
        cause.put("resourceVersion", e.getCause().getResourceVersion());
        cause.put("reason", e.getCause().getReason());
        cause.put("message", e.getCause().getMessage());
        out.put("cause", cause);
        return out;
    }

    static void table(PrintWriter out, List<Event> events) {
        String format = "%-8s %-24s %-18s %-18s %-32s %-16s %-12s %s%n";
        out.printf(format, "SEQ", "TIME", "ACTOR", "EVENT", "SUBJECT", "IP", "POOL", "WHY");
        for (Event e : events) {
            Row r = row(e);
            out.printf(format, r.sequence(), r.time(), r.actor(), r.type(), r.subject(), r.ip(), r.pool(), r.why());
        }
    }

    static void printJson(PrintWriter out, Object value) {
        try {
            out.println(JSON.writeValueAsString(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String service(ServiceRef ref) {
        return ref.getNamespace() + "/" + ref.getName();
    }
}
