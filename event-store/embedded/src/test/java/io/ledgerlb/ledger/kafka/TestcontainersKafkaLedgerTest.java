package io.ledgerlb.ledger.kafka;

import io.ledgerlb.ledger.LedgerConfig;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The same contract against a real Kafka in a container (Apache Kafka's own image, KRaft), as
 * users' CI often has Docker. Where there is no Docker the whole class is skipped at once.
 */
@Testcontainers(disabledWithoutDocker = true)
class TestcontainersKafkaLedgerTest extends LedgerContract {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.0")
            .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
            .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1");

    @Override
    LedgerConfig config(String name) {
        String base = "tc" + COUNTER.incrementAndGet() + "-" + name;
        return LedgerConfig.external(KAFKA.getBootstrapServers(), Map.of()).withTopics(base + ".events", base + ".snapshots");
    }
}
