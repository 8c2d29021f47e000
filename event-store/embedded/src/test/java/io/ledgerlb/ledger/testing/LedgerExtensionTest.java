package io.ledgerlb.ledger.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.ledger.LedgerWriter;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LedgerExtension.class)
class LedgerExtensionTest {

    @Test
    void handsEachParameterAFreshLedgerOnTheSharedBroker(KafkaLedger first, KafkaLedger second) throws Exception {
        assertThat(first.config().eventsTopic()).isNotEqualTo(second.config().eventsTopic());
        assertThat(first.bootstrapServers()).isEqualTo(LedgerFixture.bootstrapServers());
        try (LedgerWriter writer = first.openWriter("test")) {
            writer.append(SampleEvents.assignments(0, 3));
        }
        assertThat(first.lastSequence()).isEqualTo(4);
        assertThat(second.lastSequence()).isZero();
        assertThat(second.verifyLog(io.ledgerlb.ledger.Progress.NONE).checked()).isZero();
        assertThat(List.of(first, second)).doesNotContainNull();
    }
}
