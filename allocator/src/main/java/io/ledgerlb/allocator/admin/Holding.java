package io.ledgerlb.allocator.admin;

import io.ledgerlb.ledger.state.ServiceKey;

/** A Service holding an IP of a pool (with its allow-shared-ip key, empty when not shared). */
public record Holding(ServiceKey service, String ip, String pool, String sharingKey) {}
