package io.ledgerlb.ledger.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.ledger.sign.SigningKey;
import io.ledgerlb.ledger.sign.TrustedKeys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link RecordCheck} checks a record from its bytes alone, on another thread than the decoder:
 * it must give what the decoded entry gives ({@link LedgerEntry#hashValid},
 * {@link SignedChain.SignatureCheck#of}) on every record that decodes, damaged ones included.
 */
class RecordCheckTest {
    private static final SigningKey KEY = SigningKey.generate();
    private static final SigningKey STRANGER = SigningKey.generate();
    private static final TrustedKeys TRUSTED = TrustedKeys.of(KEY.publicKey());

    /** The sample chain, every third entry a signed head (by the trusted key, or, for every ninth, by a stranger). */
    private static List<byte[]> records() {
        List<byte[]> records = new ArrayList<>();
        List<LedgerEntry> chain = SealedEventWireTest.chain();
        for (int i = 0; i < chain.size(); i++) {
            LedgerEntry entry = chain.get(i);
            records.add((i % 9 == 8 ? entry.signedBy(STRANGER) : i % 3 == 2 ? entry.signedBy(KEY) : entry).encode());
        }
        return records;
    }

    /** The checks of a record's bytes, or null when it is no {@code SealedEvent} or not of a shape they read. */
    private static RecordCheck check(byte[] record, TrustedKeys keys) {
        try {
            return SealedRecord.read(record).check(keys);
        } catch (LedgerFormatException e) {
            return null;
        }
    }

    private static void assertSameAsDecoded(byte[] record, TrustedKeys keys) {
        LedgerEntry entry;
        try {
            entry = LedgerEntry.decode(record);
        } catch (LedgerFormatException e) {
            return; // not an entry: what the checks say is never used
        }
        RecordCheck check = check(record, keys);
        if (check == null) {
            return; // the reader checks the decoded entry itself
        }
        boolean hashValid = entry.hashValid();
        assertThat(check.hashValid()).as("hash of %s", Arrays.toString(record)).isEqualTo(hashValid);
        assertThat(check.signature()).as("signature of %s", Arrays.toString(record))
                .isEqualTo(hashValid ? SignedChain.SignatureCheck.of(entry, keys) : null);
    }

    @Test
    void everyWellFormedRecordIsCheckedFromItsBytes() {
        for (byte[] record : records()) {
            RecordCheck check = check(record, TRUSTED);
            assertThat(check).isNotNull();
            assertThat(check.hashValid()).isTrue();
            assertSameAsDecoded(record, TRUSTED);
            assertSameAsDecoded(record, TrustedKeys.UNCHECKED);
        }
    }

    @Test
    void aStrangersSignatureAndABadOneAreNamedAsTheChainNamesThem() throws Exception {
        LedgerEntry entry = SealedEventWireTest.chain().get(0);
        RecordCheck stranger = check(entry.signedBy(STRANGER).encode(), TRUSTED);
        assertThat(stranger.signature().problem()).startsWith("signed by a key that is not trusted");
        byte[] signature = KEY.sign(entry.hash());
        signature[0] ^= 1;
        LedgerEntry forged = new LedgerEntry(entry.event(), entry.eventBytes(), entry.hash(), signature, KEY.keyId());
        assertThat(check(forged.encode(), TRUSTED).signature().problem()).startsWith("its signature does not verify");
        assertThat(check(entry.signedBy(KEY).encode(), TRUSTED).signature().problem()).isNull();
    }

    @Test
    void agreesWithTheDecodedEntryOnDamagedRecords() {
        Random random = new Random(20261208);
        List<byte[]> records = records();
        int checkedFromBytes = 0;
        int badHashes = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] damaged = SealedEventWireTest.damage(records.get(random.nextInt(records.size())), random);
            assertSameAsDecoded(damaged, TRUSTED);
            RecordCheck check = check(damaged, TRUSTED);
            if (check != null) {
                checkedFromBytes++;
                badHashes += check.hashValid() ? 0 : 1;
            }
        }
        // the damage must reach both verdicts through the fast path, or the comparison proves little
        assertThat(checkedFromBytes).isGreaterThan(2_000);
        assertThat(badHashes).isGreaterThan(500);
    }
}
