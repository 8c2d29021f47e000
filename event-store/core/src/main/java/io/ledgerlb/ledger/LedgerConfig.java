package io.ledgerlb.ledger;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a ledger lives. Either an embedded single-node Kafka in a data folder (the default run,
 * {@link #embedded}) or an external Kafka cluster ({@link #external}), whose client properties
 * (TLS, SASL, ...) are passed through untouched to every producer, consumer and admin client.
 * SQLite (snapshots and the journal) is optional: speakers run without it.
 *
 * @param embeddedDataDir    set: run an embedded broker with its data in {@code <dir>/kafka}
 * @param bootstrapServers   the external cluster; ignored when embedded
 * @param clientProperties   passed through to every Kafka client
 * @param eventsTopic        the ledger topic (one partition, infinite retention)
 * @param snapshotsTopic     the compacted snapshot topic
 * @param sqliteFile         the SQLite file of snapshots and journal, if any
 * @param transactionalId    shared by every writer of this ledger, so a newer one fences an older
 * @param replicationFactor  for topics this ledger creates; -1 takes the broker's default
 */
public record LedgerConfig(
        Optional<Path> embeddedDataDir,
        String bootstrapServers,
        Map<String, String> clientProperties,
        String eventsTopic,
        String snapshotsTopic,
        Optional<Path> sqliteFile,
        String transactionalId,
        int replicationFactor) {

    public static final String DEFAULT_EVENTS_TOPIC = "ledgerlb.events";
    public static final String DEFAULT_SNAPSHOTS_TOPIC = "ledgerlb.snapshots";
    public static final String SQLITE_FILE_NAME = "ledger.db";

    public LedgerConfig {
        Objects.requireNonNull(embeddedDataDir);
        Objects.requireNonNull(sqliteFile);
        clientProperties = Map.copyOf(clientProperties);
        requireText(eventsTopic, "eventsTopic");
        requireText(snapshotsTopic, "snapshotsTopic");
        requireText(transactionalId, "transactionalId");
        if (embeddedDataDir.isEmpty()) {
            requireText(bootstrapServers, "bootstrapServers");
        }
        if (eventsTopic.equals(snapshotsTopic)) {
            throw new IllegalArgumentException("the events and snapshots topics must differ");
        }
    }

    /** The default run: an embedded broker and {@code ledger.db} in {@code dataDir}. */
    public static LedgerConfig embedded(Path dataDir) {
        return new LedgerConfig(Optional.of(dataDir), "", Map.of(), DEFAULT_EVENTS_TOPIC, DEFAULT_SNAPSHOTS_TOPIC,
                Optional.of(dataDir.resolve(SQLITE_FILE_NAME)), defaultTransactionalId(DEFAULT_EVENTS_TOPIC), -1);
    }

    /** An external Kafka cluster, without SQLite until {@link #withSqlite} says where. */
    public static LedgerConfig external(String bootstrapServers, Map<String, String> clientProperties) {
        return new LedgerConfig(Optional.empty(), bootstrapServers, clientProperties, DEFAULT_EVENTS_TOPIC,
                DEFAULT_SNAPSHOTS_TOPIC, Optional.empty(), defaultTransactionalId(DEFAULT_EVENTS_TOPIC), -1);
    }

    /** Other topic names; the transactional id follows the events topic unless set explicitly later. */
    public LedgerConfig withTopics(String events, String snapshots) {
        String txId = transactionalId.equals(defaultTransactionalId(eventsTopic)) ? defaultTransactionalId(events) : transactionalId;
        return new LedgerConfig(embeddedDataDir, bootstrapServers, clientProperties, events, snapshots, sqliteFile,
                txId, replicationFactor);
    }

    public LedgerConfig withSqlite(Path file) {
        return new LedgerConfig(embeddedDataDir, bootstrapServers, clientProperties, eventsTopic, snapshotsTopic,
                Optional.of(file), transactionalId, replicationFactor);
    }

    public LedgerConfig withoutSqlite() {
        return new LedgerConfig(embeddedDataDir, bootstrapServers, clientProperties, eventsTopic, snapshotsTopic,
                Optional.empty(), transactionalId, replicationFactor);
    }

    public LedgerConfig withTransactionalId(String id) {
        return new LedgerConfig(embeddedDataDir, bootstrapServers, clientProperties, eventsTopic, snapshotsTopic,
                sqliteFile, id, replicationFactor);
    }

    public LedgerConfig withReplicationFactor(int factor) {
        return new LedgerConfig(embeddedDataDir, bootstrapServers, clientProperties, eventsTopic, snapshotsTopic,
                sqliteFile, transactionalId, factor);
    }

    static String defaultTransactionalId(String eventsTopic) {
        return "ledgerlb-writer-" + eventsTopic;
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must be set");
        }
    }
}
