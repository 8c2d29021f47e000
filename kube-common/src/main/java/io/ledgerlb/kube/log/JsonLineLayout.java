package io.ledgerlb.kube.log;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object per line with the keys sorted, as MetalLB's speaker logs:
 * {@code {"caller":"L2Announcer.java:97","event":"…","interface":"eth2","ip":"…","level":"debug","msg":"…","ts":"…"}}.
 * Key-value pairs come from SLF4J's fluent API ({@code log.atInfo().addKeyValue(…)}).
 */
public class JsonLineLayout extends LayoutBase<ILoggingEvent> {

    @Override
    public String doLayout(ILoggingEvent event) {
        Map<String, String> fields = new TreeMap<>();
        StackTraceElement[] caller = event.getCallerData();
        if (caller != null && caller.length > 0) {
            fields.put("caller", caller[0].getFileName() + ":" + caller[0].getLineNumber());
        }
        fields.put("level", event.getLevel().toString().toLowerCase());
        fields.put("msg", event.getFormattedMessage());
        fields.put("ts", Instant.ofEpochMilli(event.getTimeStamp()).toString());
        if (event.getKeyValuePairs() != null) {
            for (KeyValuePair kv : event.getKeyValuePairs()) {
                fields.put(kv.key, String.valueOf(kv.value));
            }
        }
        IThrowableProxy error = event.getThrowableProxy();
        if (error != null) {
            fields.put("error", ThrowableProxyUtil.asString(error));
        }
        StringBuilder out = new StringBuilder(256).append('{');
        fields.forEach((k, v) -> {
            if (out.length() > 1) {
                out.append(',');
            }
            quote(out, k).append(':');
            quote(out, v);
        });
        return out.append("}\n").toString();
    }

    static StringBuilder quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }
}
