package io.ledgerlb.allocator.admin;

import io.ledgerlb.ledger.state.ServiceKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** A Service the allocator refused and has given no IP since: its latest refusal. */
public record WaitingRefusal(ServiceKey service, long sequence, Instant time, String reason, String message) {

    /**
     * The pools among {@code pools} the refusal names (its message lists the pools it tried, or
     * the pool asked for); refusals that name none (no pool selects the Service, a bad annotation)
     * wait on no pool in particular. A pool name is a whole word of the message.
     */
    public List<String> namedPools(Collection<String> pools) {
        Set<String> words = Arrays.stream(message.split("[^\\w.-]+")).collect(Collectors.toSet());
        return pools.stream().filter(words::contains).toList();
    }

    public boolean names(String pool) {
        return !namedPools(List.of(pool)).isEmpty();
    }
}
