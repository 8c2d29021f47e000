package io.ledgerlb.ledger.kafka;

import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;

/**
 * A Kafka broker this process runs itself, on a data folder (the allocator's default, embedded
 * run). The one implementation is {@code EmbeddedKafka} in the {@code ledger-embedded} module; the
 * Kafka ledger sees only this interface, so a reader of the ledger carries no broker (nor Scala).
 */
public interface LocalBroker extends AutoCloseable {

    /** {@code host:port} for the ledger's clients. */
    String bootstrapServers();

    @Override
    void close();

    /**
     * Starts a broker on a folder; found with {@link java.util.ServiceLoader} by
     * {@link KafkaLedger#open} when the configuration asks for an embedded broker.
     */
    interface Starter {
        /**
         * {@code portsFile}: where the broker's ports are kept, outside {@code dataDir}, so they
         * outlive it. The broker authenticates every client ({@code credentials}) and grants
         * exactly {@code acls}.
         */
        LocalBroker start(Path dataDir, Path portsFile, BrokerCredentials credentials, List<AclBinding> acls);
    }
}
