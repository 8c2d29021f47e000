package io.ledgerlb.gobgp.lab;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reads `birdc show route all`: prefix → its attribute lines ("BGP.next_hop" → "10.99.1.1"). */
public final class BirdRoutes {

    private BirdRoutes() {
    }

    public static Map<String, Map<String, String>> parse(String output) {
        Map<String, Map<String, String>> routes = new LinkedHashMap<>();
        Map<String, String> current = null;
        for (String line : output.split("\n")) {
            if (line.isBlank() || line.startsWith("BIRD ") || line.startsWith("Table ")) {
                continue;
            }
            if (!Character.isWhitespace(line.charAt(0))) {
                String prefix = line.trim().split("\\s+")[0];
                current = routes.computeIfAbsent(prefix, p -> new LinkedHashMap<>());
            } else if (current != null) {
                String text = line.trim();
                int colon = text.indexOf(": ");
                if (colon > 0) {
                    current.put(text.substring(0, colon), text.substring(colon + 2).trim());
                } else if (text.endsWith(":")) {
                    current.put(text.substring(0, text.length() - 1), "");
                } else if (text.startsWith("via ")) {
                    current.put("via", text.substring(4).split("\\s+")[0]);
                }
            }
        }
        return routes;
    }
}
