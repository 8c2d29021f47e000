package io.ledgerlb.ledger;

import io.ledgerlb.ledger.sign.SigningKey;
import io.ledgerlb.ledger.sign.TrustedKeys;
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
 * @param signingKey         the writer's Ed25519 key; without one the writer refuses to write
 * @param trustedKeys        whose signed heads readers believe; {@link TrustedKeys#UNCHECKED}
 *                           reads an unsigned ledger (hashes and links only), with a warning
 * @param adoptUnsigned      the operator's consent that the writer adopts an unsigned ledger (see
 *                           {@code LedgerAdopted}); without it the writer refuses to continue one
 */
public record LedgerConfig(
        Optional<Path> embeddedDataDir,
        String bootstrapServers,
        Map<String, String> clientProperties,
        String eventsTopic,
        String snapshotsTopic,
        Optional<Path> sqliteFile,
        String transactionalId,
        int replicationFactor,
        Optional<SigningKey> signingKey,
        TrustedKeys trustedKeys,
        boolean adoptUnsigned) {

    public static final String DEFAULT_EVENTS_TOPIC = "ledgerlb.events";
    public static final String DEFAULT_SNAPSHOTS_TOPIC = "ledgerlb.snapshots";
    public static final String SQLITE_FILE_NAME = "ledger.db";
    /** Every default transactional id starts so (followed by the events topic); ACLs grant the writer this prefix. */
    public static final String TRANSACTIONAL_ID_PREFIX = "ledgerlb-writer-";
    /** The embedded default's signing key, made on first run; its public key is beside it ({@code .pub}). */
    public static final String SIGNING_KEY_FILE_NAME = "ledger-signing-key.pem";

    public LedgerConfig {
        Objects.requireNonNull(embeddedDataDir);
        Objects.requireNonNull(sqliteFile);
        Objects.requireNonNull(signingKey);
        Objects.requireNonNull(trustedKeys);
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

    /**
     * The default run: an embedded broker and {@code ledger.db} in {@code dataDir}, signed with
     * the key in {@code dataDir} (made on first run), which is also the one key readers trust.
     */
    public static LedgerConfig embedded(Path dataDir) {
        SigningKey key = SigningKey.loadOrGenerate(dataDir.resolve(SIGNING_KEY_FILE_NAME));
        return new LedgerConfig(Optional.of(dataDir), "", Map.of(), DEFAULT_EVENTS_TOPIC, DEFAULT_SNAPSHOTS_TOPIC,
                Optional.of(dataDir.resolve(SQLITE_FILE_NAME)), defaultTransactionalId(DEFAULT_EVENTS_TOPIC), -1,
                Optional.of(key), TrustedKeys.of(key.publicKey()), false);
    }

    /**
     * An external Kafka cluster, without SQLite until {@link #withSqlite} says where, without a
     * signing key until {@link #withSigningKey} and trusting no key until {@link #withTrustedKeys}.
     */
    public static LedgerConfig external(String bootstrapServers, Map<String, String> clientProperties) {
        return new LedgerConfig(Optional.empty(), bootstrapServers, clientProperties, DEFAULT_EVENTS_TOPIC,
                DEFAULT_SNAPSHOTS_TOPIC, Optional.empty(), defaultTransactionalId(DEFAULT_EVENTS_TOPIC), -1,
                Optional.empty(), TrustedKeys.UNCHECKED, false);
    }

    /** Other topic names; the transactional id follows the events topic unless set explicitly later. */
    public LedgerConfig withTopics(String events, String snapshots) {
        String txId = transactionalId.equals(defaultTransactionalId(eventsTopic)) ? defaultTransactionalId(events) : transactionalId;
        return new LedgerConfig(embeddedDataDir, bootstrapServers, clientProperties, events, snapshots, sqliteFile,
                txId, replicationFactor, signingKey, trustedKeys, adoptUnsigned);
    }

    public LedgerConfig withSqlite(Path file) {
        return new LedgerConfig(embeddedDataDir, bootstrapServers, clientProperties, eventsTopic, snapshotsTopic,
                Optional.of(file), transactionalId, replicationFactor, signingKey, trustedKeys, adoptUnsigned);
    }

    public LedgerConfig withoutSqlite() {
        return new LedgerConfig(embeddedDataDir, bootstrapServers, clientProperties, eventsTopic, snapshotsTopic,
                Optional.empty(), transactionalId, replicationFactor, signingKey, trustedKeys, adoptUnsigned);
    }

    public LedgerConfig withTransactionalId(String id) {
        return new LedgerConfig(embeddedDataDir, bootstrapServers, clientProperties, eventsTopic, snapshotsTopic,
                sqliteFile, id, replicationFactor, signingKey, trustedKeys, adoptUnsigned);
    }

    public LedgerConfig withReplicationFactor(int factor) {
        return new LedgerConfig(embeddedDataDir, bootstrapServers, clientProperties, eventsTopic, snapshotsTopic,
                sqliteFile, transactionalId, factor, signingKey, trustedKeys, adoptUnsigned);
    }

    /** Signs with {@code key}, whose public key is then trusted too. */
    public LedgerConfig withSigningKey(SigningKey key) {
        return new LedgerConfig(embeddedDataDir, bootstrapServers, clientProperties, eventsTopic, snapshotsTopic,
                sqliteFile, transactionalId, replicationFactor, Optional.of(key), trustedKeys.with(key.publicKey()),
                adoptUnsigned);
    }

    /** Readers believe these keys' signed heads (replacing those trusted so far). */
    public LedgerConfig withTrustedKeys(TrustedKeys keys) {
        TrustedKeys trusted = signingKey.map(k -> keys.with(k.publicKey())).orElse(keys);
        return new LedgerConfig(embeddedDataDir, bootstrapServers, clientProperties, eventsTopic, snapshotsTopic,
                sqliteFile, transactionalId, replicationFactor, signingKey, trusted, adoptUnsigned);
    }

    /** The operator consents that a writer adopts an unsigned ledger (records a signed {@code LedgerAdopted}). */
    public LedgerConfig withAdoptUnsigned(boolean adopt) {
        return new LedgerConfig(embeddedDataDir, bootstrapServers, clientProperties, eventsTopic, snapshotsTopic,
                sqliteFile, transactionalId, replicationFactor, signingKey, trustedKeys, adopt);
    }

    static String defaultTransactionalId(String eventsTopic) {
        return TRANSACTIONAL_ID_PREFIX + eventsTopic;
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must be set");
        }
    }
}
