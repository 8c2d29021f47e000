package io.ledgerlb.allocator.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.allocator.controller.CoreAllocationStep;
import io.ledgerlb.events.v1.AllocationRefused;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.kafka.KafkaLedgerWriter;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.testing.LedgerFixture;
import io.ledgerlb.ledger.testing.SampleEvents;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The explorer's states at points, folded on from the states it keeps (restored snapshots, points
 * asked before, checkpoints), against a fold of every entry from genesis to the same sequence.
 */
class LedgerQueriesStateAtTest {
    static final int ENTRIES = 4_000;

    @Test
    void everyPointEqualsAFoldFromGenesisWhateverStatesWereKeptBefore(@TempDir Path dir) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (KafkaLedger ledger = LedgerFixture.open("state-at", dir.resolve("ledger.db"))) {
            List<LedgerEntry> entries = write(ledger, random);
            LedgerQueries queries = new LedgerQueries(ledger, CoreAllocationStep.forCounting());
            long last = entries.size();
            long point = last / 2;
            for (int i = 0; i < 30; i++) {
                point = switch (random.nextInt(3)) { // a slider's steps, and jumps anywhere
                    case 0 -> Math.max(0, Math.min(last, point + random.nextInt(3_001) - 1_500));
                    case 1 -> Math.max(0, Math.min(last, point + random.nextInt(41) - 20));
                    default -> random.nextLong(last + 1);
                };
                LedgerState expected = new LedgerState();
                for (LedgerEntry entry : entries.subList(0, (int) point)) {
                    expected.apply(entry);
                }
                assertThat(queries.stateAt(point)).as("state at %d (seed %d, step %d)", point, seed, i).isEqualTo(expected);
            }
            assertThat(queries.stateAt(last)).isEqualTo(ledger.stateAt(last));
        }
    }

    /** Pools, Services taking, losing and taking back IPs, refusals; a snapshot every 1,500 entries or so. */
    private static List<LedgerEntry> write(KafkaLedger ledger, Random random) throws Exception {
        List<LedgerEntry> entries = new ArrayList<>();
        LedgerState state = new LedgerState();
        try (KafkaLedgerWriter writer = ledger.openWriter("test")) {
            List<Event> batch = new ArrayList<>(List.of(SampleEvents.pool("p", "10.99.0.0/22")));
            while (entries.size() < ENTRIES) {
                int n = random.nextInt(300);
                String service = "s" + n;
                String ip = "10.99." + (n / 250) + "." + (n % 250 + 1);
                batch.add(switch (random.nextInt(5)) {
                    case 0, 1 -> SampleEvents.assign(service, ip);
                    case 2, 3 -> SampleEvents.release(service, ip);
                    default -> Event.newBuilder().setAllocationRefused(AllocationRefused.newBuilder()
                            .setService(SampleEvents.service(service)).setReason("NoAvailableIP")
                            .setMessage("no free [IPv4] address in pools [p]")).build();
                });
                if (batch.size() == 500) {
                    for (LedgerEntry e : writer.append(batch)) {
                        state.apply(e);
                        entries.add(e);
                    }
                    batch.clear();
                    if (random.nextInt(3) == 0) {
                        LedgerEntry taken = writer.takeSnapshot(state).entry();
                        state.apply(taken);
                        entries.add(taken);
                    }
                }
            }
        }
        return entries;
    }
}
