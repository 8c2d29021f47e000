package io.ledgerlb.allocator.k8s.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Objects as the {@code meta.k8s.io/v1 Table} that {@code kubectl get} prints: the columns an API
 * server shows for Services, Events, Namespaces and Nodes, MetalLB's printer columns for its
 * resources, and NAME, AGE for everything else.
 */
final class TableView {
    private record Column(String name, Function<JsonNode, String> cell) {
    }

    private final Clock clock;
    private final Map<String, List<Column>> columnsByKind;
    private final List<Column> defaultColumns;

    TableView(Clock clock) {
        this.clock = clock;
        Column name = new Column("Name", o -> o.path("metadata").path("name").asText());
        Column age = new Column("Age", o -> age(o.path("metadata").path("creationTimestamp").asText("")));
        this.columnsByKind = Map.of(
                "Service", List.of(name, new Column("Type", o -> o.path("spec").path("type").asText("ClusterIP")),
                        new Column("Cluster-IP", o -> orNone(o.path("spec").path("clusterIP").asText(""))),
                        new Column("External-IP", TableView::externalIps),
                        new Column("Port(s)", TableView::ports), age),
                "Event", List.of(new Column("Last Seen", o -> age(lastSeen(o))),
                        new Column("Type", o -> o.path("type").asText("")),
                        new Column("Reason", o -> o.path("reason").asText("")),
                        new Column("Object", o -> o.path("involvedObject").path("kind").asText("").toLowerCase()
                                + "/" + o.path("involvedObject").path("name").asText("")),
                        new Column("Message", o -> o.path("message").asText(""))),
                "Namespace", List.of(name, new Column("Status", o -> o.path("status").path("phase").asText("Active")), age),
                "Node", List.of(name, new Column("Status", TableView::nodeReady), age),
                "IPAddressPool", List.of(name, new Column("Auto Assign", o -> o.path("spec").path("autoAssign").asText("true")),
                        new Column("Avoid Buggy IPs", o -> o.path("spec").path("avoidBuggyIPs").asText("false")),
                        new Column("Addresses", o -> list(o.path("spec").path("addresses")))),
                "L2Advertisement", List.of(name, new Column("IPAddressPools", o -> list(o.path("spec").path("ipAddressPools"))),
                        new Column("Interfaces", o -> list(o.path("spec").path("interfaces"))), age),
                "BGPAdvertisement", List.of(name, new Column("IPAddressPools", o -> list(o.path("spec").path("ipAddressPools"))),
                        new Column("Peers", o -> list(o.path("spec").path("peers"))), age),
                "BGPPeer", List.of(name, new Column("Address", o -> o.path("spec").path("peerAddress").asText("")),
                        new Column("ASN", o -> o.path("spec").path("peerASN").asText("")),
                        new Column("BFD Profile", o -> o.path("spec").path("bfdProfile").asText("")),
                        new Column("Multi Hops", o -> o.path("spec").path("ebgpMultiHop").asText("")), age));
        this.defaultColumns = List.of(name, age);
    }

    /** A Table of the object, or of the items of the list, kubectl's request asked for. */
    JsonNode table(JsonNode objectOrList) {
        boolean isList = objectOrList.has("items");
        List<JsonNode> objects = new ArrayList<>();
        if (isList) {
            objectOrList.path("items").forEach(objects::add);
        } else {
            objects.add(objectOrList);
        }
        String kind = objects.isEmpty() ? "" : objects.get(0).path("kind").asText("");
        List<Column> columns = columnsByKind.getOrDefault(kind, defaultColumns);

        ObjectNode table = JsonNodeFactory.instance.objectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
        table.putObject("metadata").put("resourceVersion", objectOrList.path("metadata").path("resourceVersion").asText(""));
        ArrayNode definitions = table.putArray("columnDefinitions");
        for (Column column : columns) {
            definitions.addObject().put("name", column.name()).put("type", "string")
                    .put("format", column.name().equals("Name") ? "name" : "").put("description", "").put("priority", 0);
        }
        ArrayNode rows = table.putArray("rows");
        for (JsonNode object : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            columns.forEach(column -> cells.add(column.cell().apply(object)));
            row.set("object", object);
        }
        return table;
    }

    private static String externalIps(JsonNode service) {
        List<String> ips = new ArrayList<>();
        service.path("status").path("loadBalancer").path("ingress").forEach(ingress ->
                ips.add(ingress.has("ip") ? ingress.path("ip").asText() : ingress.path("hostname").asText()));
        service.path("spec").path("externalIPs").forEach(ip -> ips.add(ip.asText()));
        String type = service.path("spec").path("type").asText("ClusterIP");
        if (type.equals("ExternalName")) {
            return service.path("spec").path("externalName").asText("<none>");
        }
        if (ips.isEmpty()) {
            return type.equals("LoadBalancer") ? "<pending>" : "<none>";
        }
        return String.join(",", ips);
    }

    private static String ports(JsonNode service) {
        List<String> ports = new ArrayList<>();
        service.path("spec").path("ports").forEach(p -> ports.add(p.path("port").asText()
                + (p.has("nodePort") ? ":" + p.path("nodePort").asText() : "")
                + "/" + p.path("protocol").asText("TCP")));
        return ports.isEmpty() ? "<none>" : String.join(",", ports);
    }

    private static String nodeReady(JsonNode node) {
        for (JsonNode condition : node.path("status").path("conditions")) {
            if (condition.path("type").asText().equals("Ready")) {
                return condition.path("status").asText().equals("True") ? "Ready" : "NotReady";
            }
        }
        return "Unknown";
    }

    private static String lastSeen(JsonNode event) {
        for (String field : List.of("lastTimestamp", "eventTime", "firstTimestamp")) {
            if (event.hasNonNull(field) && !event.path(field).asText().isEmpty()) {
                return event.path(field).asText();
            }
        }
        return event.path("metadata").path("creationTimestamp").asText("");
    }

    private static String list(JsonNode values) {
        List<String> all = new ArrayList<>();
        values.forEach(v -> all.add(v.asText()));
        return String.join(",", all);
    }

    private static String orNone(String value) {
        return value.isEmpty() ? "<none>" : value;
    }

    /** kubectl's short ages: 45s, 3m12s, 17m, 5h3m, 20h, 3d4h, 12d. */
    private String age(String timestamp) {
        Duration age;
        try {
            age = Duration.between(Instant.parse(timestamp), clock.instant());
        } catch (DateTimeParseException e) {
            return "<unknown>";
        }
        long s = Math.max(0, age.toSeconds());
        if (s < 120) {
            return s + "s";
        }
        if (s < 600) {
            return s / 60 + "m" + (s % 60 == 0 ? "" : s % 60 + "s");
        }
        if (s < 3 * 3600) {
            return s / 60 + "m";
        }
        if (s < 8 * 3600) {
            return s / 3600 + "h" + (s / 60 % 60 == 0 ? "" : s / 60 % 60 + "m");
        }
        if (s < 48 * 3600) {
            return s / 3600 + "h";
        }
        if (s < 8 * 86400) {
            return s / 86400 + "d" + (s / 3600 % 24 == 0 ? "" : s / 3600 % 24 + "h");
        }
        return s / 86400 + "d";
    }
}
