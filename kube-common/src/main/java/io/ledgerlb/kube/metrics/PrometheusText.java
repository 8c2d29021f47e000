package io.ledgerlb.kube.metrics;

/**
 * Metric families written by hand in Prometheus' text format. For MetalLB's names, which dashboards
 * and alerts expect unchanged and Micrometer's Prometheus registry would change (it adds
 * {@code _total} to counters and strips it from gauges); every other meter goes through Micrometer.
 */
public final class PrometheusText {
    private final StringBuilder out = new StringBuilder();

    /** Starts a family: its {@code # HELP} and {@code # TYPE} lines ({@code counter}, {@code gauge}). */
    public PrometheusText family(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /** One sample; {@code labels} as made by {@link #labels} (empty: none). */
    public PrometheusText sample(String name, String labels, long value) {
        out.append(name);
        if (!labels.isEmpty()) {
            out.append('{').append(labels).append('}');
        }
        out.append(' ').append(value).append('\n');
        return this;
    }

    /** Label pairs ({@code name, value, name, value, …}) as the text between the braces, values escaped. */
    public static String labels(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name, value pairs");
        }
        StringBuilder labels = new StringBuilder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (i > 0) {
                labels.append(',');
            }
            labels.append(namesAndValues[i]).append("=\"").append(escape(namesAndValues[i + 1])).append('"');
        }
        return labels.toString();
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
