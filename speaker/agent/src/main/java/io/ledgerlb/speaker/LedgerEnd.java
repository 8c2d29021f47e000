package io.ledgerlb.speaker;

import io.ledgerlb.ledger.kafka.KafkaLedger;
import java.util.concurrent.Callable;

/**
 * The last sequence of the verified chain, for {@link LedgerWatch}'s staleness probe: each call
 * walks on from the tip the previous call found ({@link KafkaLedger#verifiedTipAfter}), so a probe
 * reads the records appended since, not the latest snapshot and the whole log after it (at
 * 50,000 Services that was the speaker's largest source of garbage, and its tail latency: full
 * collections). Called from one thread at a time.
 */
final class LedgerEnd implements Callable<Long> {
    private final KafkaLedger ledger;
    private KafkaLedger.Tip tip;

    LedgerEnd(KafkaLedger ledger) {
        this.ledger = ledger;
    }

    @Override
    public synchronized Long call() {
        tip = tip == null ? ledger.verifiedTip() : ledger.verifiedTipAfter(tip);
        return tip.sequence();
    }
}
