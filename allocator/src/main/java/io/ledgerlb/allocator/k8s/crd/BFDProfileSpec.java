package io.ledgerlb.allocator.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/** Intervals in milliseconds. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record BFDProfileSpec(Integer receiveInterval, Integer transmitInterval, Integer detectMultiplier,
                             Integer echoInterval, Boolean echoMode, Boolean passiveMode, Integer minimumTtl) {
}
