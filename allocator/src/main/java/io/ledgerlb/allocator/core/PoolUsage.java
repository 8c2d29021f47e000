package io.ledgerlb.allocator.core;

/**
 * Counts for an IPAddressPool's status. Available counts exclude addresses skipped by
 * avoidBuggyIPs and are saturated at {@link Long#MAX_VALUE} for very large IPv6 pools.
 */
public record PoolUsage(long assignedIpv4, long assignedIpv6, long availableIpv4, long availableIpv6) {}
