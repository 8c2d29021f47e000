package io.ledgerlb.bench.ledger;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.event.HashChain;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.RecordCheck;
import io.ledgerlb.ledger.event.SealedRecord;
import io.ledgerlb.ledger.event.SignedChain;
import io.ledgerlb.ledger.sign.SigningKey;
import io.ledgerlb.ledger.sign.TrustedKeys;
import io.ledgerlb.ledger.state.LedgerState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Replay's work per entry on one thread, without Kafka: what each thread of a replay spends, so
 * that a change to one step is measured apart from the broker, the other thread and the machine's
 * load. The records are those {@link SigningBenchmarks} replays (the churn workload, a signed head
 * every 1,000 entries).
 * <ul>
 *   <li>read and check: the fetching thread's share ({@code SealedRecord.read}, {@code check}: the hash, a head's signature);</li>
 *   <li>the reader's share, record by record as it does it: decode ({@code SealedRecord.entry}), link
 *       ({@code SignedChain}) and fold ({@code LedgerState.apply}); and decoding alone.</li>
 * </ul>
 * Run: {@code java -cp bench/target/benchmarks.jar io.ledgerlb.bench.ledger.ReplayLoops [events] [rounds]};
 * each figure is the least time per entry over the rounds (the first rounds warm the JIT up).
 */
public final class ReplayLoops {
    private static final int HEAD_EVERY = 1_000;
    /** As ReadAhead hands records over. */
    private static final int CHUNK = 1_000;

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        SigningKey key = SigningKey.generate();
        TrustedKeys keys = TrustedKeys.of(key.publicKey());
        List<byte[]> records = sealed(LedgerBenchmarks.churn(events, events / 2), key);

        double readCheck = Double.MAX_VALUE;
        double decode = Double.MAX_VALUE;
        double reader = Double.MAX_VALUE;
        long sink = 0;
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            SealedRecord[] read = new SealedRecord[records.size()];
            RecordCheck[] checks = new RecordCheck[records.size()];
            for (int i = 0; i < read.length; i++) {
                read[i] = SealedRecord.read(records.get(i));
                checks[i] = read[i].check(keys);
            }
            long t1 = System.nanoTime();
            for (SealedRecord record : read) {
                sink += record.entry().sequence();
            }
            long t2 = System.nanoTime();
            // as the reader does it: record by record, the verified entries folded after each chunk
            LedgerState state = new LedgerState();
            SignedChain chain = new SignedChain(keys);
            for (int i = 0; i < read.length; i++) {
                chain.accept(read[i].entry(), i, checks[i].hashValid(), checks[i].signature());
                if ((i + 1) % CHUNK == 0 || i == read.length - 1) {
                    for (SignedChain.Verified verified : chain.settle()) {
                        state.apply(verified.entry());
                    }
                }
            }
            long t3 = System.nanoTime();
            if (state.sequence() != events) {
                throw new IllegalStateException("folded " + state.sequence() + " of " + events);
            }
            sink += state.assignedIpCount();
            readCheck = Math.min(readCheck, (t1 - t0) / (double) events);
            decode = Math.min(decode, (t2 - t1) / (double) events);
            reader = Math.min(reader, (t3 - t2) / (double) events);
        }
        System.out.printf(Locale.ROOT, "RESULT replay steps on one thread, ns per entry (least of %d rounds of %d; %d):"
                + " read and check %.0f; reader: decode, link and fold %.0f (decode alone %.0f)%n",
                rounds, events, sink % 1000, readCheck, reader, decode);
    }

    /** The workload as the writer seals it: sequence, time and prev_hash set, a signed head every {@value #HEAD_EVERY}. */
    static List<byte[]> sealed(List<Event> bodies, SigningKey key) {
        List<byte[]> records = new ArrayList<>(bodies.size());
        byte[] prev = HashChain.GENESIS;
        long seconds = 1_765_000_000L;
        for (int i = 0; i < bodies.size(); i++) {
            Event event = bodies.get(i).toBuilder().setSequence(i + 1)
                    .setTime(Timestamp.newBuilder().setSeconds(seconds + i / 100).setNanos(i % 100 * 1_000))
                    .setPrevHash(ByteString.copyFrom(prev)).build();
            LedgerEntry entry = LedgerEntry.seal(event);
            if ((i + 1) % HEAD_EVERY == 0 || i == bodies.size() - 1) {
                entry = entry.signedBy(key);
            }
            records.add(entry.encode());
            prev = Arrays.copyOf(entry.hash(), entry.hash().length);
        }
        return records;
    }
}
