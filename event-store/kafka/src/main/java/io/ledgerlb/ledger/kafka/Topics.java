package io.ledgerlb.ledger.kafka;

import io.ledgerlb.ledger.LedgerConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Creates the ledger's two topics where missing and checks the events topic has one partition. */
final class Topics {
    private Topics() {}

    static void ensure(KafkaClients clients, LedgerConfig config) {
        Optional<Short> replication = config.replicationFactor() > 0
                ? Optional.of((short) config.replicationFactor()) : Optional.empty();
        try (Admin admin = clients.admin()) {
            create(admin, new NewTopic(config.eventsTopic(), Optional.of(1), replication).configs(Map.of(
                    "cleanup.policy", "delete", "retention.ms", "-1", "retention.bytes", "-1")));
            create(admin, new NewTopic(config.snapshotsTopic(), Optional.of(1), replication).configs(Map.of(
                    "cleanup.policy", "compact", "retention.ms", "-1",
                    "max.message.bytes", String.valueOf(KafkaClients.MAX_SNAPSHOT_BYTES))));
            TopicDescription events = describe(admin, config.eventsTopic());
            if (events.partitions().size() != 1) {
                throw new IllegalStateException("ledger topic " + config.eventsTopic() + " has "
                        + events.partitions().size() + " partitions; a ledger needs exactly one (a total order)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing ledger topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot prepare ledger topics at " + clients.bootstrapServers()
                    + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Describes a topic, waiting out the moment after creation when the broker does not know it yet. */
    private static TopicDescription describe(Admin admin, String topic) throws ExecutionException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    /**
     * Creates a missing topic. A reader (a speaker, a CLI with read-only credentials) may not
     * create topics under ACLs: its refusal is passed over here and {@link #describe} then says
     * whether the topic is there for it.
     */
    private static void create(Admin admin, NewTopic topic) throws ExecutionException, InterruptedException {
        try {
            admin.createTopics(List.of(topic)).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException) && !(e.getCause() instanceof TopicAuthorizationException)) {
                throw e;
            }
        }
    }
}
