package io.ledgerlb.allocator.admin;

import io.ledgerlb.ledger.state.ServiceKey;
import java.time.Instant;
import java.util.regex.Pattern;

/** A Service the allocator refused and has given no IP since: its latest refusal. */
public record WaitingRefusal(ServiceKey service, long sequence, Instant time, String reason, String message) {

    /**
     * Whether the refusal names the pool (its message lists the pools it tried, or the pool asked
     * for); refusals that name none (no pool selects the Service, a bad annotation) wait on no
     * pool in particular.
     */
    public boolean names(String pool) {
        return Pattern.compile("(?<![\\w.-])" + Pattern.quote(pool) + "(?![\\w.-])").matcher(message).find();
    }
}
