package io.ledgerlb.kube.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

/** The one log line format: MetalLB's speaker's field names, sorted, with the key-values beside them. */
class JsonLineLayoutTest {
    @Test
    void oneSortedJsonObjectALineWithTheKeyValuesAsFields() {
        Logger logger = new LoggerContext().getLogger("io.ledgerlb.Test");
        LoggingEvent event = new LoggingEvent("x", logger, Level.WARN, "could not write a \"status\"\nretrying", null, null);
        event.addKeyValuePair(new org.slf4j.event.KeyValuePair("event", "statusNotWritten"));
        event.addKeyValuePair(new org.slf4j.event.KeyValuePair("retryMillis", 500L));
        event.setTimeStamp(0);
        event.setCallerData(new StackTraceElement[] {new StackTraceElement("W", "write", "Writer.java", 42)});

        assertThat(new JsonLineLayout().doLayout(event)).isEqualTo("{\"caller\":\"Writer.java:42\",\"event\":\"statusNotWritten\","
                + "\"level\":\"warn\",\"msg\":\"could not write a \\\"status\\\"\\nretrying\",\"retryMillis\":\"500\","
                + "\"ts\":\"1970-01-01T00:00:00Z\"}\n");
    }
}
