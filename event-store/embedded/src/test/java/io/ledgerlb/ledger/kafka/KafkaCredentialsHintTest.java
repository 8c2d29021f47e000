package io.ledgerlb.ledger.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaCredentialsHintTest {
    @Test
    void withoutASecurityProtocolTheHintNamesTheReadersFile() {
        assertThat(KafkaClientOptions.credentialsHint(Map.of("client.id", "x")))
                .contains("no Kafka credentials are configured").contains("--kafka-properties-file DATA/kafka-reader.properties");
    }

    @Test
    void withASecurityProtocolThereIsNoHint() {
        assertThat(KafkaClientOptions.credentialsHint(Map.of("security.protocol", "SASL_PLAINTEXT"))).isEmpty();
    }
}
