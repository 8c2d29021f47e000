package io.ledgerlb.ledger.kafka;

import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.testing.LedgerFixture;

/** The ledger's contract on the embedded KRaft broker shared by this test JVM. */
class EmbeddedKafkaLedgerTest extends LedgerContract {
    @Override
    LedgerConfig config(String name) {
        return LedgerFixture.config(name);
    }
}
