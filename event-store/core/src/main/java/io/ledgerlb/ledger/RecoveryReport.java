package io.ledgerlb.ledger;

/**
 * The result of rebuilding the Kafka topic from the SQLite journal.
 *
 * @param alreadyInTopic  entries the topic held already (verified equal to the journal's)
 * @param written         entries written from the journal
 * @param lastSequence    the topic's last sequence afterwards
 * @param lastHashHex     its hash
 */
public record RecoveryReport(long alreadyInTopic, long written, long lastSequence, String lastHashHex) {}
