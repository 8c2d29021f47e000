package io.ledgerlb.ledger.forgery;

import static io.ledgerlb.ledger.testing.SampleEvents.assign;
import static io.ledgerlb.ledger.testing.SampleEvents.assignments;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ledgerlb.ledger.ChainReport;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.LedgerFollower;
import io.ledgerlb.ledger.LedgerListener;
import io.ledgerlb.ledger.LedgerWriteException;
import io.ledgerlb.ledger.Progress;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.SignedChain.PassedOver;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.kafka.KafkaLedgerWriter;
import io.ledgerlb.ledger.sign.SigningKey;
import io.ledgerlb.ledger.sign.TrustedKeys;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.testing.LedgerAttacker;
import io.ledgerlb.ledger.testing.LedgerFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key files, rotation (signed by the old key) and the explicit adoption of an unsigned ledger, on a real Kafka. */
class KeyLifecycleTest {

    @Test
    void aKeyFileRoundTripsAndTheEmbeddedDefaultMakesItsKeyOnce(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("key.pem");
        SigningKey made = SigningKey.loadOrGenerate(file);
        SigningKey loaded = SigningKey.load(file);
        assertThat(loaded.keyId()).isEqualTo(made.keyId());
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        TrustedKeys trusted = TrustedKeys.load(SigningKey.publicKeyFile(file));
        byte[] hash = new byte[32];
        assertThat(trusted.verify(made.keyId(), hash, loaded.sign(hash))).isTrue();
        assertThat(SigningKey.loadOrGenerate(file).keyId()).isEqualTo(made.keyId());
    }

    @Test
    void afterARotationTheNewKeyVouchesAndTheRetiredOneNoLonger() throws Exception {
        SigningKey next = SigningKey.generate();
        try (KafkaLedger ledger = LedgerFixture.open("rotation");
             KafkaLedgerWriter writer = ledger.openWriter("allocator")) {
            writer.append(assignments(0, 2));                                  // 1..3, old key
            LedgerEntry rotated = writer.rotateKey(next);                      // 4, signed by the old key
            assertThat(rotated.keyId()).isEqualTo(LedgerFixture.signingKey().keyId());
            writer.append(List.of(assign("n1", "10.99.1.1")));                 // 5, new key

            // someone holding the retired key signs an entry after the rotation
            LedgerAttacker attacker = new LedgerAttacker(ledger);
            LedgerEntry stale = LedgerAttacker.forgeAfter(attacker.tail(), assign("evil", "10.99.66.6"))
                    .signedBy(LedgerFixture.signingKey());
            LedgerAttacker.Forged forged = attacker.append(stale.encode());
            writer.append(List.of(assign("n2", "10.99.1.2")));                 // 6, new key

            // readers trusting only the old key follow the rotation
            ChainReport report = ledger.verifyLog(Progress.NONE);
            assertThat(report.lastSequence()).isEqualTo(6);
            assertThat(report.passedOver()).singleElement().satisfies(p -> {
                assertThat(p.sequence()).isEqualTo(6);
                assertThat(p.position()).isEqualTo(forged.offset());
            });
            LedgerState state = ledger.stateAt(6);
            assertThat(state.isAssigned("10.99.1.2")).isTrue();
            assertThat(state.isAssigned("10.99.66.6")).isFalse();
        }
    }

    @Test
    void anUnsignedLedgerIsAppliedByNoReaderWithKeysUntilAdoptedExplicitly() throws Exception {
        LedgerConfig unsignedWriter = LedgerFixture.config("adoption").withTrustedKeys(TrustedKeys.UNCHECKED);
        // the fixture config signs: a writer of an older version had no key at all
        LedgerConfig legacy = new LedgerConfig(unsignedWriter.embeddedDataDir(), unsignedWriter.bootstrapServers(),
                unsignedWriter.clientProperties(), unsignedWriter.eventsTopic(), unsignedWriter.snapshotsTopic(),
                unsignedWriter.sqliteFile(), unsignedWriter.transactionalId(), unsignedWriter.replicationFactor(),
                java.util.Optional.empty(), TrustedKeys.UNCHECKED, false);
        try (KafkaLedger old = KafkaLedger.open(legacy); KafkaLedgerWriter writer = old.openWriter("v0")) {
            writer.append(assignments(0, 4)); // 1..5, unsigned
            assertThat(old.verifyLog(Progress.NONE).intact()).isTrue(); // hashes and links only
        }
        SigningKey key = SigningKey.generate();
        LedgerConfig signing = legacy.withSigningKey(key);
        try (KafkaLedger ledger = KafkaLedger.open(signing)) {
            ChainReport before = ledger.verifyLog(Progress.NONE);
            assertThat(before.lastSequence()).isZero();
            assertThat(before.passedOver()).extracting(PassedOver::sequence).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(before.passedOver()).allSatisfy(p -> assertThat(p.reason()).contains("not vouched for"));
            assertThatThrownBy(() -> ledger.openWriter("v1"))
                    .isInstanceOf(LedgerWriteException.class)
                    .hasMessageContaining("--adopt-unsigned-ledger");
        }
        try (KafkaLedger ledger = KafkaLedger.open(signing.withAdoptUnsigned(true));
             KafkaLedgerWriter writer = ledger.openWriter("v1")) {
            assertThat(writer.lastSequence()).isEqualTo(6);
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
                assertThat(follower.<Boolean>withState(s -> s.isAssigned("10.99.0.4"))).isTrue();
            }
            ChainReport after = ledger.verifyLog(Progress.NONE);
            assertThat(after.intact()).isTrue();
            assertThat(after.lastSignedHead()).isEqualTo(6);
            assertThat(passed).isEmpty();
        }
    }
}
