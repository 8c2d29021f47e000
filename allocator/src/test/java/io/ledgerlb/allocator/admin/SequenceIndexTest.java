package io.ledgerlb.allocator.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.ledgerlb.events.v1.AllocationRefused;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.event.HashChain;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.ledger.testing.SampleEvents;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The explorer's time index against a plain scan, with clocks that go backwards, and its waiting refusals. */
class SequenceIndexTest {
    static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void timeSearchesAgreeWithAScanWhenTheClockGoesBackwards() {
        Random random = new Random();
        for (int trial = 0; trial < 50; trial++) {
            int n = 1 + random.nextInt(300);
            long[] seconds = new long[n];
            SequenceIndex index = new SequenceIndex(null);
            byte[] prev = HashChain.GENESIS;
            long clock = 0;
            for (int i = 0; i < n; i++) {
                clock += random.nextInt(10) < 2 ? -random.nextInt(30) : random.nextInt(5); // a step back now and then
                seconds[i] = clock;
                LedgerEntry entry = LedgerEntry.seal(SampleEvents.pool("p", "10.99.0.0/24").toBuilder()
                        .setSequence(i + 1L).setPrevHash(ByteString.copyFrom(prev))
                        .setTime(Timestamp.newBuilder().setSeconds(T0.getEpochSecond() + clock)).build());
                index.add(entry);
                prev = entry.hash();
            }
            for (long t = -200; t <= clock + 5; t++) {
                Instant at = T0.plusSeconds(t);
                long last = 0;
                long first = n + 1;
                for (int i = 0; i < n; i++) {
                    if (seconds[i] <= t) {
                        last = i + 1;
                    }
                    if (seconds[i] >= t && first == n + 1) {
                        first = i + 1;
                    }
                }
                assertThat(index.lastAtOrBefore(at)).as("last at or before %s in %s", t, java.util.Arrays.toString(seconds))
                        .isEqualTo(last);
                assertThat(index.firstAtOrAfter(at)).as("first at or after %s", t).isEqualTo(first);
            }
        }
    }

    @Test
    void aRefusedServiceWaitsUntilItGetsAnIp() {
        SequenceIndex index = new SequenceIndex(null);
        byte[] prev = HashChain.GENESIS;
        Event[] events = {
                SampleEvents.pool("blue", "10.99.0.0/30"),
                Event.newBuilder().setAllocationRefused(AllocationRefused.newBuilder()
                        .setService(SampleEvents.service("a")).setReason("NoAvailableIP")
                        .setMessage("no free [IPv4] address in pools [blue]")).build(),
                Event.newBuilder().setAllocationRefused(AllocationRefused.newBuilder()
                        .setService(SampleEvents.service("b")).setReason("NoPoolAvailable")
                        .setMessage("no pool auto-assigns to this Service")).build(),
                SampleEvents.assign("a", "10.99.0.1")};
        for (int i = 0; i < events.length; i++) {
            LedgerEntry entry = LedgerEntry.seal(events[i].toBuilder().setSequence(i + 1L)
                    .setPrevHash(ByteString.copyFrom(prev)).build());
            index.add(entry);
            prev = entry.hash();
            if (i == 2) {
                assertThat(index.waiting()).extracting(WaitingRefusal::service)
                        .containsExactly(ServiceKey.parse("default/a"), ServiceKey.parse("default/b"));
                assertThat(index.waiting().get(0).names("blue")).isTrue();
                assertThat(index.waiting().get(0).names("blu")).isFalse();
                assertThat(index.waiting().get(1).names("blue")).isFalse();
            }
        }
        assertThat(index.waiting()).extracting(WaitingRefusal::service).containsExactly(ServiceKey.parse("default/b"));
        assertThat(index.refusalsBetween(1, 4, 10)).containsExactly(3, 2);
        assertThat(index.refusalsBetween(3, 4, 10)).containsExactly(3);
        assertThat(index.refusalCount(1, 2)).isEqualTo(1);
    }
}
