package io.ledgerlb.ledger;

/**
 * A stored snapshot, as listed or checked.
 *
 * @param location      "sqlite" or "kafka:<topic>"
 * @param sequence      the last event it covers
 * @param kafkaOffset   the offset of that event's record when the snapshot was taken
 * @param sha256Hex     the checksum of the state bytes
 * @param sizeBytes     the state's size
 * @param problem       empty when usable, else why not (corrupt, newer format, not on the chain)
 */
public record SnapshotInfo(String location, long sequence, long kafkaOffset, String sha256Hex, long sizeBytes,
                           String problem) {
    public boolean usable() {
        return problem.isEmpty();
    }
}
