package io.ledgerlb.allocator.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Intervals in milliseconds. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record BFDProfileSpec(@Min(10) @Max(60000) @SchemaFormat("int32") @PrinterColumn(name = "Receive Interval") Integer receiveInterval,
                             @Min(10) @Max(60000) @SchemaFormat("int32") @PrinterColumn(name = "Transmit Interval") Integer transmitInterval,
                             @Min(2) @Max(255) @SchemaFormat("int32") @PrinterColumn(name = "Multiplier") Integer detectMultiplier,
                             @Min(10) @Max(60000) @SchemaFormat("int32") Integer echoInterval, Boolean echoMode,
                             @PrinterColumn(name = "Passive Mode") Boolean passiveMode,
                             @Min(1) @Max(254) @SchemaFormat("int32") Integer minimumTtl) {
}
