package io.ledgerlb.ledger.forgery;

import static io.ledgerlb.ledger.testing.SampleEvents.assign;
import static io.ledgerlb.ledger.testing.SampleEvents.assignments;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ledgerlb.ledger.ChainReport;
import io.ledgerlb.ledger.LedgerFollower;
import io.ledgerlb.ledger.LedgerListener;
import io.ledgerlb.ledger.LedgerWriteException;
import io.ledgerlb.ledger.Progress;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.event.SignedChain.PassedOver;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.kafka.KafkaLedgerWriter;
import io.ledgerlb.ledger.sign.SigningKey;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.ledger.testing.LedgerAttacker;
import io.ledgerlb.ledger.testing.LedgerAttacker.Forged;
import io.ledgerlb.ledger.testing.LedgerFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The attacks of issue 11 against a real Kafka ledger: an attacker with nothing but a plain
 * Kafka client (no signing key) reads the topic and appends records. Each forged record is passed
 * over — by a live follower and by {@code verify}, named by its sequence and offset — nothing of
 * it is applied, and the legitimate writer's next entry (from the writer that kept running and
 * from one restarted after the attack) is applied after it.
 */
class ForgeryTest {
    private static final String EVIL_IP = "10.99.66.6";

    /** The exact attack of the issue: read the tail, build the next IpAssigned with the right sequence and prev_hash, append. */
    @Test
    void aChainValidButUnsignedEntryIsPassedOver() throws Exception {
        attack("unsigned", attacker -> {
            LedgerEntry tail = attacker.tail();
            return List.of(attacker.append(forge(tail, EVIL_IP).encode()));
        }, "left out of the chain");
    }

    @Test
    void anEntrySignedByAnUnknownKeyIsPassedOver() throws Exception {
        attack("unknown-key", attacker -> {
            LedgerEntry tail = attacker.tail();
            SigningKey own = SigningKey.generate();
            return List.of(attacker.append(forge(tail, EVIL_IP).signedBy(own).encode()));
        }, "not trusted");
    }

    @Test
    void anEntryWithAnotherKeysSignatureUnderTheTrustedKeyIdIsPassedOver() throws Exception {
        attack("stolen-key-id", attacker -> {
            LedgerEntry tail = attacker.tail();
            LedgerEntry signed = forge(tail, EVIL_IP).signedBy(SigningKey.generate());
            LedgerEntry claimed = new LedgerEntry(signed.event(), signed.eventBytes(), signed.hash(), signed.signature(),
                    LedgerFixture.signingKey().keyId());
            return List.of(attacker.append(claimed.encode()));
        }, "does not verify");
    }

    @Test
    void aReplayedOldSignedEntryIsPassedOver() throws Exception {
        attack("replay", attacker -> {
            List<ConsumerRecord<byte[], byte[]>> records = attacker.records();
            LedgerEntry oldHead = null;
            for (ConsumerRecord<byte[], byte[]> record : records) {
                LedgerEntry entry = LedgerEntry.decode(record.value());
                if (entry.signed() && oldHead == null) {
                    oldHead = entry; // the first transaction's signed head
                }
            }
            return List.of(attacker.append(oldHead.encode()));
        }, "replayed");
    }

    @Test
    void aReorderedForgedTailIsPassedOver() throws Exception {
        attack("reordered", attacker -> {
            LedgerEntry tail = attacker.tail();
            LedgerEntry first = forge(tail, EVIL_IP);
            LedgerEntry second = forge(first, "10.99.66.7");
            // the second first, then the first; then the real tail's two entries again, in reverse
            List<Forged> forged = new ArrayList<>();
            forged.add(attacker.append(second.encode()));
            forged.add(attacker.append(first.encode()));
            List<ConsumerRecord<byte[], byte[]>> records = attacker.records();
            forged.add(attacker.append(records.get(records.size() - 1).value()));
            forged.add(attacker.append(records.get(records.size() - 2).value()));
            return forged;
        }, "reordered");
    }

    @Test
    void aTruncatedTailWithoutItsSignedHeadIsPassedOver() throws Exception {
        attack("truncated", attacker -> {
            // a transaction's worth of chain-valid entries, cut off before the head that would sign it
            LedgerEntry at = attacker.tail();
            List<Forged> forged = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                at = forge(at, "10.99.66." + (10 + i));
                forged.add(attacker.append(at.encode()));
            }
            return forged;
        }, "left out of the chain");
    }

    /**
     * Without ACLs (this fixture's plaintext broker; the embedded default's broker and deploy/'s refuse
     * it, see {@code EmbeddedBrokerAuthTest} and {@code KafkaAclTest}) an attacker can take the writer's
     * transactional id: that fences the running writer (denial of service, as Kafka means it to),
     * but the entry it commits under the stolen id is unsigned, so it is passed over, and the
     * writer that starts next continues the signed chain from the last real entry.
     */
    @Test
    void aStolenTransactionalIdFencesTheWriterButWhatItCommitsIsPassedOver() throws Exception {
        try (KafkaLedger ledger = LedgerFixture.open("forgery-stolen-txid");
             KafkaLedgerWriter writer = ledger.openWriter("allocator")) {
            writer.append(assignments(0, 3)); // 1..4
            LedgerAttacker attacker = new LedgerAttacker(ledger);
            LedgerEntry forged = forge(attacker.tail(), EVIL_IP);
            long offset;
            try (KafkaProducer<byte[], byte[]> thief = new KafkaProducer<>(Map.of("bootstrap.servers", ledger.bootstrapServers(),
                    "transactional.id", ledger.config().transactionalId(),
                    "key.serializer", ByteArraySerializer.class, "value.serializer", ByteArraySerializer.class))) {
                thief.initTransactions();
                thief.beginTransaction();
                offset = thief.send(new ProducerRecord<>(ledger.config().eventsTopic(), 0, null, forged.encode())).get().offset();
                thief.commitTransaction();
            }
            assertThatThrownBy(() -> writer.append(List.of(assign("fenced", "10.99.1.9")))).isInstanceOf(LedgerWriteException.class);

            try (KafkaLedgerWriter restarted = ledger.openWriter("allocator-restarted")) {
                assertThat(restarted.lastSequence()).isEqualTo(4);
                assertThat(restarted.append(List.of(assign("next", "10.99.1.1"))).get(0).sequence()).isEqualTo(5);
            }
            List<LedgerEntry> applied = new ArrayList<>();
            ledger.read(1, applied::add);
            assertThat(applied).extracting(LedgerEntry::sequence).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(applied.get(4).event().getIpAssigned().getIp()).isEqualTo("10.99.1.1");
            ChainReport report = ledger.verifyLog(Progress.NONE);
            assertThat(report.passedOver()).extracting(PassedOver::position).containsExactly(offset);
            assertThat(report.passedOver()).extracting(PassedOver::sequence).containsExactly(5L);
            assertThat(report.lastSignedHead()).isEqualTo(5);
        }
    }

    // ---- the scenario every attack runs in

    interface Attack {
        List<Forged> run(LedgerAttacker attacker) throws Exception;
    }

    private void attack(String name, Attack attack, String reason) throws Exception {
        try (KafkaLedger ledger = LedgerFixture.open("forgery-" + name);
             KafkaLedgerWriter writer = ledger.openWriter("allocator")) {
            writer.append(assignments(0, 3));          // sequences 1..4, head at 4
            writer.append(List.of(assign("s3", "10.99.0.4"), assign("s4", "10.99.0.5"))); // 5..6, head at 6
            List<PassedOver> passed = new CopyOnWriteArrayList<>();
            try (LedgerFollower follower = ledger.follow(new LedgerListener() {
                @Override
                public void applied(LedgerEntry entry, LedgerState state) { }

                @Override
                public void passedOver(PassedOver record) {
                    passed.add(record);
                }
            })) {
                assertThat(follower.awaitSequence(6, Duration.ofSeconds(30))).isTrue();
                KafkaLedger.Tip beforeAttack = ledger.verifiedTip();
                List<Forged> forged = attack.run(new LedgerAttacker(ledger));

                // nothing of it is applied, nor stops anything: the running writer's next entry is
                List<LedgerEntry> next = writer.append(List.of(assign("next", "10.99.1.1")));
                assertThat(next.get(0).sequence()).isEqualTo(7);
                assertThat(follower.awaitSequence(7, Duration.ofSeconds(30))).isTrue();
                // and so is the next entry of a writer restarted after the attack
                try (KafkaLedgerWriter restarted = ledger.openWriter("allocator-restarted")) {
                    assertThat(restarted.lastSequence()).isEqualTo(7);
                    restarted.append(List.of(assign("after", "10.99.1.2")));
                }
                assertThat(follower.awaitSequence(8, Duration.ofSeconds(30))).isTrue();
                // a tip walked on from the one before the attack is the tip a whole walk finds
                KafkaLedger.Tip whole = ledger.verifiedTip();
                KafkaLedger.Tip walkedOn = ledger.verifiedTipAfter(beforeAttack);
                assertThat(whole.sequence()).isEqualTo(8);
                assertThat(walkedOn.sequence()).isEqualTo(whole.sequence());
                assertThat(walkedOn.hash()).isEqualTo(whole.hash());
                assertThat(walkedOn.offset()).isEqualTo(whole.offset());
                LedgerState state = follower.withState(LedgerState::copy);
                assertThat(state.isAssigned("10.99.1.1")).isTrue();
                assertThat(state.isAssigned("10.99.1.2")).isTrue();
                assertThat(state.isAssigned(EVIL_IP)).isFalse();
                assertThat(state.assignmentsOf(new ServiceKey("default", "evil"))).isEmpty();
                assertThat(state.assignedIpCount()).isEqualTo(7);

                // the follower named each forged record, and only those
                await().atMost(Duration.ofSeconds(30)).until(() -> passed.size() >= forged.size());
                assertThat(passed).extracting(PassedOver::position)
                        .containsExactlyInAnyOrderElementsOf(forged.stream().map(Forged::offset).toList());
                assertThat(passed).extracting(PassedOver::sequence)
                        .containsExactlyInAnyOrderElementsOf(forged.stream().map(Forged::sequence).toList());
                assertThat(follower.passedOver()).isEqualTo(forged.size());

                // verify blames the forged records, never the good entries after them
                ChainReport report = ledger.verifyLog(Progress.NONE);
                assertThat(report.intact()).isFalse();
                assertThat(report.signaturesChecked()).isTrue();
                assertThat(report.lastSequence()).isEqualTo(8);
                assertThat(report.lastSignedHead()).isEqualTo(8);
                assertThat(report.checked()).isEqualTo(8);
                assertThat(report.passedOver()).extracting(PassedOver::position)
                        .containsExactlyInAnyOrderElementsOf(forged.stream().map(Forged::offset).toList());
                assertThat(report.passedOver()).anySatisfy(p -> assertThat(p.reason()).contains(reason));
                assertThat(report.toString()).contains("PASSED OVER sequence " + forged.get(0).sequence()
                        + " (offset " + forged.get(0).offset() + ")");
                assertThat(ledger.stateAt(8)).isEqualTo(state);
            }
        }
    }

    /** The next entry after {@code tail}, as an attacker builds it: right sequence, right prev_hash, no key. */
    static LedgerEntry forge(LedgerEntry tail, String ip) {
        return LedgerAttacker.forgeAfter(tail, assign("evil", ip));
    }
}
