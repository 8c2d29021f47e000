package io.ledgerlb.ledger.event;

import static io.ledgerlb.ledger.testing.SampleEvents.assign;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.event.SignedChain.PassedOver;
import io.ledgerlb.ledger.event.SignedChain.Verified;
import io.ledgerlb.ledger.sign.KeyId;
import io.ledgerlb.ledger.sign.SigningKey;
import io.ledgerlb.ledger.sign.TrustedKeys;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure choice of the signed chain among the records read, without Kafka. */
class SignedChainTest {
    private static final SigningKey KEY = SigningKey.generate();
    private static final TrustedKeys TRUSTED = TrustedKeys.of(KEY.publicKey());

    private static LedgerEntry next(LedgerEntry before, String ip) {
        Event event = assign("s-" + ip, ip).toBuilder()
                .setSequence(before == null ? 1 : before.sequence() + 1)
                .setPrevHash(ByteString.copyFrom(before == null ? HashChain.GENESIS : before.hash()))
                .build();
        return LedgerEntry.seal(event);
    }

    @Test
    void onlyWhatTheNewestSignedHeadVouchesForIsVerifiedAndTheForgeryBesideItIsNamed() {
        LedgerEntry e1 = next(null, "10.0.0.1");
        LedgerEntry forged = next(e1, "10.0.0.66");
        LedgerEntry e2 = next(e1, "10.0.0.2");
        LedgerEntry e3 = next(e2, "10.0.0.3").signedBy(KEY);
        SignedChain chain = new SignedChain(TRUSTED);
        chain.accept(e1, 0);
        chain.accept(forged, 1);
        chain.accept(e2, 2);
        assertThat(chain.settle()).as("no head yet").isEmpty();
        chain.accept(e3, 3);
        assertThat(chain.settle()).extracting(Verified::entry).containsExactly(e1, e2, e3);
        assertThat(chain.drainPassedOver()).singleElement().satisfies(p -> {
            assertThat(p.sequence()).isEqualTo(2);
            assertThat(p.position()).isEqualTo(1);
            assertThat(p.reason()).contains("left out");
        });
        assertThat(chain.pending()).isZero();
    }

    @Test
    void twoTrustedSignedEntriesAtOneSequenceAreAForkButAnUnsignedRivalOrAReplayIsNot() {
        LedgerEntry e1 = next(null, "10.0.0.1").signedBy(KEY);
        LedgerEntry unsigned = next(e1, "10.0.0.66");
        LedgerEntry real = next(e1, "10.0.0.2").signedBy(KEY);
        SignedChain chain = settled(e1, unsigned, real, e1);
        assertThat(chain.drainPassedOver()).hasSize(2);
        assertThat(chain.signedRivals()).as("a forgery and a replay").isEmpty();

        LedgerEntry late = next(e1, "10.0.0.3").signedBy(KEY); // a killed writer's late transaction
        assertThat(settled(e1, real, late).signedRivals()).singleElement()
                .satisfies(p -> assertThat(p.sequence()).isEqualTo(2));
    }

    /** A chain that read {@code records} at offsets 0, 1, ... and settled. */
    private static SignedChain settled(LedgerEntry... records) {
        SignedChain chain = new SignedChain(TRUSTED);
        for (int i = 0; i < records.length; i++) {
            chain.accept(records[i], i);
        }
        chain.settle();
        return chain;
    }

    @Test
    void aHeadSignedByAnUnknownKeyIsNamedAndAnOlderGoodHeadStillVouches() {
        LedgerEntry e1 = next(null, "10.0.0.1").signedBy(KEY);
        LedgerEntry evil = next(e1, "10.0.0.66").signedBy(SigningKey.generate());
        SignedChain chain = new SignedChain(TRUSTED);
        chain.accept(e1, 0);
        chain.accept(evil, 1);
        assertThat(chain.settle()).extracting(Verified::entry).containsExactly(e1);
        assertThat(chain.drainPassedOver()).extracting(PassedOver::reason)
                .singleElement().asString().contains("not trusted");
        LedgerEntry e2 = next(e1, "10.0.0.2").signedBy(KEY);
        chain.accept(e2, 2);
        assertThat(chain.settle()).extracting(Verified::entry).containsExactly(e2);
    }

    @Test
    void withoutKeysEntriesAreVerifiedByLinksAloneAndAReplayIsStillPassedOver() {
        LedgerEntry e1 = next(null, "10.0.0.1");
        LedgerEntry e2 = next(e1, "10.0.0.2");
        SignedChain chain = new SignedChain(TrustedKeys.UNCHECKED);
        chain.accept(e1, 0);
        chain.accept(e2, 1);
        chain.accept(e1, 2);
        assertThat(chain.settle()).extracting(Verified::entry).containsExactly(e1, e2);
        assertThat(chain.drainPassedOver()).extracting(PassedOver::position).containsExactly(2L);
    }

    @Test
    void whatNoHeadEverCoversIsNamedAtTheEndOfARead() {
        LedgerEntry e1 = next(null, "10.0.0.1");
        SignedChain chain = new SignedChain(TRUSTED);
        chain.accept(e1, 0);
        assertThat(chain.settle()).isEmpty();
        assertThat(chain.unsignedTail()).containsExactly(e1);
        assertThat(chain.endOfRead()).singleElement()
                .satisfies(p -> assertThat(p.reason()).contains("not vouched for by any signed head"));
        assertThat(List.of(chain.tipSequence())).containsExactly(0L);
    }

    @Test
    void everySignatureOnThePathIsCheckedNotOnlyTheNewestHeads() {
        LedgerEntry e1 = next(null, "10.0.0.1").signedBy(KEY);
        LedgerEntry e2 = next(e1, "10.0.0.2");
        LedgerEntry badlySigned = new LedgerEntry(e2.event(), e2.eventBytes(), e2.hash(), KEY.sign(e1.hash()), KEY.keyId());
        LedgerEntry e3 = next(e2, "10.0.0.3");
        LedgerEntry e4 = next(e3, "10.0.0.4").signedBy(KEY);
        SignedChain chain = settled(e1, badlySigned, e3, e4);
        assertThat(chain.tipSequence()).as("the good head before the bad signature").isEqualTo(1);
        assertThat(chain.drainPassedOver()).extracting(PassedOver::sequence, PassedOver::reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(2L, "its signature does not verify with key " + KeyId.shortHex(KEY.keyId())),
                        org.assertj.core.groups.Tuple.tuple(3L, "hangs from an entry the signed head at sequence 1 left out"),
                        org.assertj.core.groups.Tuple.tuple(4L, "hangs from an entry the signed head at sequence 1 left out"));
        assertThat(chain.pending()).isZero();
    }

    @Test
    void aForgeryAndAReplayInALongReadLeaveTheRealChainWholeAndInOrder() {
        List<LedgerEntry> real = new java.util.ArrayList<>();
        LedgerEntry before = null;
        for (int i = 1; i <= 3_000; i++) {
            LedgerEntry entry = next(before, "10.1." + (i / 256) + "." + (i % 256));
            real.add(i % 1_000 == 0 || i == 1_500 ? entry.signedBy(KEY) : entry);
            before = real.get(real.size() - 1);
        }
        LedgerEntry forged = next(real.get(1_498), "10.0.0.66"); // at sequence 1,500, beside the real one
        SignedChain chain = new SignedChain(TRUSTED);
        List<LedgerEntry> verified = new java.util.ArrayList<>();
        long position = 0;
        for (LedgerEntry entry : real) {
            if (entry.sequence() == 1_500) {
                chain.accept(forged, position++);
            }
            chain.accept(entry, position++);
            if (entry.sequence() == 2_200) {
                chain.accept(real.get(9), position++); // a replayed copy of sequence 10
            }
            if (position % 1_000 == 0) {
                chain.settle().forEach(v -> verified.add(v.entry()));
            }
        }
        chain.settle().forEach(v -> verified.add(v.entry()));
        assertThat(verified).containsExactlyElementsOf(real);
        assertThat(chain.drainPassedOver()).extracting(PassedOver::sequence).containsExactly(1_500L, 10L);
        assertThat(chain.pending()).isZero();
    }
}
