package io.ledgerlb.ledger.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ledgerlb.events.v1.ConfigKind;
import io.ledgerlb.events.v1.ConfigRemoved;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.IpReleased;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.events.v1.ReleaseReason;
import io.ledgerlb.events.v1.ReservationClaimed;
import io.ledgerlb.events.v1.ReservationReleased;
import io.ledgerlb.events.v1.RestoreEnded;
import io.ledgerlb.events.v1.RestoreStarted;
import io.ledgerlb.events.v1.ServiceRef;
import io.ledgerlb.events.v1.StateSnapshot;
import io.ledgerlb.ledger.event.ChainVerifier;
import io.ledgerlb.ledger.event.HashChain;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LedgerStateTest {

    static ServiceRef svc(String name) {
        return ServiceRef.newBuilder().setNamespace("default").setName(name).setUid("uid-" + name).build();
    }

    static Event.Builder pool(String name, String cidr) {
        return Event.newBuilder().setPoolDefined(PoolDefined.newBuilder().setName(name).addAddresses(cidr).setAutoAssign(true));
    }

    static Event.Builder assign(String service, String ip) {
        return Event.newBuilder().setIpAssigned(IpAssigned.newBuilder().setService(svc(service)).setIp(ip).setPool("p"));
    }

    static Event.Builder release(String service, String ip) {
        return Event.newBuilder().setIpReleased(IpReleased.newBuilder().setService(svc(service)).setIp(ip)
                .setPool("p").setReason(ReleaseReason.SERVICE_DELETED));
    }

    /** Seals bodies into a chain, the way the ledger's writer does. */
    static List<LedgerEntry> chain(List<Event.Builder> bodies) {
        List<LedgerEntry> entries = new ArrayList<>();
        byte[] prev = HashChain.GENESIS;
        long seq = 0;
        for (Event.Builder body : bodies) {
            LedgerEntry e = LedgerEntry.seal(body.clone().setSequence(++seq).setPrevHash(ByteString.copyFrom(prev)).build());
            entries.add(e);
            prev = e.hash();
        }
        return entries;
    }

    static LedgerState fold(List<LedgerEntry> entries) {
        LedgerState s = new LedgerState();
        entries.forEach(s::apply);
        return s;
    }

    static final List<Event.Builder> HISTORY = List.of(
            pool("p", "10.99.0.0/24"),
            assign("a", "10.99.0.1"),
            assign("b", "10.99.0.2"),
            assign("c", "10.99.0.2"),
            release("a", "10.99.0.1"),
            assign("d", "10.99.0.3"),
            pool("q", "10.99.1.0/24"),
            Event.newBuilder().setConfigRemoved(ConfigRemoved.newBuilder().setKind(ConfigKind.POOL).setName("q")));

    @Test
    void foldsAssignmentsSharingAndReleases() {
        LedgerState s = fold(chain(HISTORY));
        assertThat(s.sequence()).isEqualTo(8);
        assertThat(s.pools()).containsOnlyKeys("p");
        assertThat(s.holders("10.99.0.2")).extracting(a -> a.getService().getName()).containsExactlyInAnyOrder("b", "c");
        assertThat(s.isAssigned("10.99.0.1")).isFalse();
        assertThat(s.previousIps(new ServiceKey("default", "a"))).containsExactly("10.99.0.1");
        assertThat(s.assignmentsOf(new ServiceKey("default", "d"))).extracting(IpAssigned::getIp).containsExactly("10.99.0.3");
    }

    @Test
    void releasingOneHolderOfASharedIpOrOneIpOfADualStackServiceKeepsTheRest() {
        List<Event.Builder> h = new ArrayList<>(HISTORY);
        h.add(assign("e", "10.99.0.2"));          // a third Service shares .2
        h.add(assign("c", "10.99.0.9"));          // c gets a second IP (dual-stack alike)
        h.add(assign("c", "10.99.0.2"));          // assigned again: stays where it was among the holders
        h.add(release("b", "10.99.0.2"));
        h.add(release("c", "10.99.0.9"));
        LedgerState s = fold(chain(h));
        assertThat(s.holders("10.99.0.2")).extracting(a -> a.getService().getName()).containsExactly("c", "e");
        assertThat(s.assignmentsOf(new ServiceKey("default", "c"))).extracting(IpAssigned::getIp).containsExactly("10.99.0.2");
        assertThat(s.assignmentsOf(new ServiceKey("default", "b"))).isEmpty();
        assertThat(s.servicesWithAssignments()).doesNotContain(new ServiceKey("default", "b"));
        assertThat(s.isAssigned("10.99.0.9")).isFalse();
        assertThat(s.previousIps(new ServiceKey("default", "c"))).containsExactly("10.99.0.9");
        assertThat(s.assignedIpCount()).isEqualTo(2);
        assertThat(s.copy()).isEqualTo(s);
    }

    @Test
    void aCopyFoldsOnWithoutChangingTheOriginal() {
        List<Event.Builder> h = new ArrayList<>(HISTORY);
        h.add(assign("x", "10.99.0.50"));
        h.add(release("x", "10.99.0.50"));
        h.add(assign("x", "10.99.0.51"));
        h.add(assign("y", "10.99.0.51"));
        List<LedgerEntry> entries = chain(h);
        int upTo = HISTORY.size() + 1;
        LedgerState original = fold(entries.subList(0, upTo));
        LedgerState copy = original.copy();
        entries.subList(upTo, entries.size()).forEach(copy::apply);

        assertThat(original).isEqualTo(fold(entries.subList(0, upTo)));
        assertThat(original.previousIps(new ServiceKey("default", "x"))).isEmpty();
        assertThat(original.holders("10.99.0.51")).isEmpty();
        assertThat(copy).isEqualTo(fold(entries));
        assertThat(copy.previousIps(new ServiceKey("default", "x"))).containsExactly("10.99.0.50");
        assertThat(copy.holders("10.99.0.51")).hasSize(2);
    }

    @Test
    void snapshotPlusTailEqualsFullReplay() throws Exception {
        List<LedgerEntry> entries = chain(HISTORY);
        LedgerState full = fold(entries);
        for (int cut = 0; cut <= entries.size(); cut++) {
            LedgerState head = fold(entries.subList(0, cut));
            StateSnapshot snap = StateSnapshot.parseFrom(head.toSnapshot().toByteArray());
            LedgerState resumed = LedgerState.fromSnapshot(snap);
            assertThat(resumed).isEqualTo(head);
            entries.subList(cut, entries.size()).forEach(resumed::apply);
            assertThat(resumed).as("snapshot at %d + tail", cut).isEqualTo(full);
            assertThat(resumed.toSnapshot()).isEqualTo(full.toSnapshot());
        }
    }

    static final List<Event.Builder> RESTORE = List.of(
            Event.newBuilder().setRestoreStarted(RestoreStarted.newBuilder().setReservedServices(3)),
            Event.newBuilder().setReservationClaimed(ReservationClaimed.newBuilder().setService(svc("b")).addIps("10.99.0.2")),
            assign("e", "10.99.0.4"),
            Event.newBuilder().setReservationReleased(ReservationReleased.newBuilder().setService(svc("d")).addIps("10.99.0.3")),
            release("d", "10.99.0.3"),
            release("c", "10.99.0.2"), // its last IP gone (e.g. its pool removed): nothing left to keep for it
            Event.newBuilder().setRestoreEnded(RestoreEnded.getDefaultInstance()));

    @Test
    void restoreModeReservesTheHoldersUntilTheyAreClaimedOrReleasedAndSurvivesSnapshots() throws Exception {
        List<Event.Builder> h = new ArrayList<>(HISTORY);
        h.addAll(RESTORE);
        List<LedgerEntry> entries = chain(h);
        int started = HISTORY.size() + 1;
        LedgerState atStart = fold(entries.subList(0, started));
        assertThat(atStart.restoring()).isTrue();
        assertThat(atStart.reserved()).containsExactly(key("b"), key("c"), key("d"));
        LedgerState beforeEnd = fold(entries.subList(0, entries.size() - 1));
        assertThat(beforeEnd.restoring()).isTrue();
        assertThat(beforeEnd.reserved()).isEmpty();
        assertThat(fold(entries.subList(0, started + 2)).reserved()).containsExactly(key("c"), key("d"));
        assertThat(beforeEnd.restoreEndedAt()).isZero();
        LedgerState full = fold(entries);
        assertThat(full.restoring()).isFalse();
        // run --restore reads this: the restore that started last has ended, at that sequence
        assertThat(full.restoreEndedAt()).isEqualTo(entries.size());
        for (int cut = 0; cut <= entries.size(); cut++) {
            LedgerState head = fold(entries.subList(0, cut));
            LedgerState resumed = LedgerState.fromSnapshot(StateSnapshot.parseFrom(head.toSnapshot().toByteArray()));
            assertThat(resumed).as("snapshot at %d", cut).isEqualTo(head);
            assertThat(resumed.reserved()).isEqualTo(head.reserved());
            assertThat(resumed.restoreEndedAt()).isEqualTo(head.restoreEndedAt());
            entries.subList(cut, entries.size()).forEach(resumed::apply);
            assertThat(resumed).as("snapshot at %d + tail", cut).isEqualTo(full);
        }
        h.add(Event.newBuilder().setRestoreStarted(RestoreStarted.getDefaultInstance())); // a second restore
        LedgerState again = fold(chain(h));
        assertThat(again.restoring()).isTrue();
        assertThat(again.restoreEndedAt()).isZero();
    }

    static Event.Builder refuse(String service) {
        return Event.newBuilder().setAllocationRefused(io.ledgerlb.events.v1.AllocationRefused.newBuilder()
                .setService(svc(service)).setReason("NoAvailableIP"));
    }

    @Test
    void aRefusedServiceWaitsFromItsFirstRefusalUntilItGetsAnIpOrItsWaitEndsAndSnapshotsKeepIt() throws Exception {
        List<Event.Builder> h = new ArrayList<>(HISTORY);        // sequences 1-8; b holds 10.99.0.2
        h.add(refuse("w"));                                        // 9: w waits
        h.add(refuse("x"));                                        // 10: x waits
        h.add(refuse("w"));                                        // 11: still since 9
        h.add(refuse("b"));                                        // 12: b holds an IP, does not wait
        h.add(assign("x", "10.99.0.7"));                           // 13: x served
        h.add(refuse("y"));                                        // 14
        h.add(Event.newBuilder().setWaitEnded(io.ledgerlb.events.v1.WaitEnded.newBuilder()
                .setService(svc("y")).setReason("ServiceDeleted"))); // 15: y deleted
        List<LedgerEntry> entries = chain(h);
        assertThat(fold(entries.subList(0, 10)).waiting()).containsOnly(java.util.Map.entry(key("w"), 9L),
                java.util.Map.entry(key("x"), 10L));
        assertThat(fold(entries.subList(0, 14)).waiting()).containsOnly(java.util.Map.entry(key("w"), 9L),
                java.util.Map.entry(key("y"), 14L));
        LedgerState full = fold(entries);
        assertThat(full.waiting()).containsOnly(java.util.Map.entry(key("w"), 9L));
        for (int cut = 0; cut <= entries.size(); cut++) {
            LedgerState head = fold(entries.subList(0, cut));
            LedgerState resumed = LedgerState.fromSnapshot(StateSnapshot.parseFrom(head.toSnapshot().toByteArray()));
            assertThat(resumed.waiting()).as("snapshot at %d", cut).isEqualTo(head.waiting());
            entries.subList(cut, entries.size()).forEach(resumed::apply);
            assertThat(resumed).as("snapshot at %d + tail", cut).isEqualTo(full);
        }
        assertThat(full.copy()).isEqualTo(full);
    }

    private static ServiceKey key(String name) {
        return new ServiceKey("default", name);
    }

    @Test
    void reassigningAServiceItsPreviousIpClearsTheMemory() {
        List<Event.Builder> h = new ArrayList<>(HISTORY);
        h.add(assign("a", "10.99.0.1"));
        LedgerState s = fold(chain(h));
        assertThat(s.previousIps(new ServiceKey("default", "a"))).isEmpty();
    }

    @Test
    void refusesGapsAndBrokenLinks() {
        List<LedgerEntry> entries = chain(HISTORY);
        LedgerState s = new LedgerState();
        s.apply(entries.get(0));
        assertThatThrownBy(() -> s.apply(entries.get(2))).isInstanceOf(LedgerSequenceException.class)
                .hasMessageContaining("cannot apply sequence 3");
        LedgerEntry forged = LedgerEntry.seal(entries.get(1).event().toBuilder()
                .setPrevHash(ByteString.copyFrom(new byte[32])).build());
        assertThatThrownBy(() -> s.apply(forged)).isInstanceOf(LedgerSequenceException.class);
        assertThat(s.sequence()).isEqualTo(1);
    }

    @Test
    void skipsUnknownEventTypesButKeepsTheChain() throws Exception {
        // an event with a body field number this schema does not know (99), as a newer writer would send
        Event unknown = Event.parseFrom(concat(
                Event.newBuilder().setSequence(2).setPrevHash(ByteString.copyFrom(chain(HISTORY).get(0).hash())).build().toByteArray(),
                new byte[] {(byte) 0x9a, 0x06, 0x02, 0x08, 0x01})); // field 99, length-delimited, 2 bytes
        assertThat(unknown.getBodyCase()).isEqualTo(Event.BodyCase.BODY_NOT_SET);
        LedgerEntry first = chain(HISTORY).get(0);
        LedgerEntry second = LedgerEntry.seal(unknown);
        LedgerEntry decoded = LedgerEntry.decode(second.encode());
        assertThat(decoded.unknownType()).isTrue();
        LedgerState s = new LedgerState();
        s.apply(first);
        s.apply(decoded);
        assertThat(s.sequence()).isEqualTo(2);
        assertThat(s.unknownSkipped()).isEqualTo(1);
        assertThat(s.pools()).containsOnlyKeys("p");
        ChainVerifier v = new ChainVerifier();
        assertThat(v.accept(first) && v.accept(decoded)).isTrue();
    }

    @Test
    void refusesSnapshotsOfANewerFormat() {
        StateSnapshot newer = new LedgerState().toSnapshot().toBuilder().setFormatVersion(LedgerState.SNAPSHOT_FORMAT_VERSION + 1).build();
        assertThatThrownBy(() -> LedgerState.fromSnapshot(newer)).isInstanceOf(LedgerFormatException.class)
                .hasMessageContaining("newer");
    }

    @Test
    void verifierNamesTheFirstAlteredEntry() throws Exception {
        List<LedgerEntry> entries = chain(HISTORY);
        byte[] tampered = entries.get(4).encode();
        tampered[tampered.length - 40] ^= 0x01; // inside the event bytes, before the 32-byte hash
        ChainVerifier v = new ChainVerifier();
        for (int i = 0; i < entries.size(); i++) {
            LedgerEntry e = i == 4 ? decodeOrNull(tampered) : entries.get(i);
            if (e == null) {
                v.acceptUndecodable(new LedgerFormatException(0, "garbage"));
            } else {
                v.accept(e);
            }
        }
        assertThat(v.firstBreak()).hasValueSatisfying(b -> assertThat(b.sequence()).isEqualTo(5));
        assertThat(v.checked()).isEqualTo(4);
    }

    private static LedgerEntry decodeOrNull(byte[] bytes) {
        try {
            return LedgerEntry.decode(bytes);
        } catch (LedgerFormatException e) {
            return null;
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
