package io.ledgerlb.ledger.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.events.v1.AllocationRefused;
import io.ledgerlb.events.v1.ConfigKind;
import io.ledgerlb.events.v1.ConfigRemoved;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.L2AdvertisementDefined;
import io.ledgerlb.events.v1.SnapshotTaken;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.ledger.testing.SampleEvents;
import org.junit.jupiter.api.Test;

class SubjectTest {
    static final Subject S1 = Subject.service(new ServiceKey("default", "s1"));

    @Test
    void anAssignmentOrAReleaseConcernsItsIpServiceAndPool() {
        assertThat(Subject.of(SampleEvents.assign("s1", "10.99.0.1")))
                .containsExactlyInAnyOrder(Subject.ip("10.99.0.1"), S1, Subject.pool("p"));
        assertThat(Subject.of(SampleEvents.release("s1", "10.99.0.1")))
                .containsExactlyInAnyOrder(Subject.ip("10.99.0.1"), S1, Subject.pool("p"));
    }

    @Test
    void aRefusalConcernsItsService() {
        Event refused = Event.newBuilder().setAllocationRefused(AllocationRefused.newBuilder()
                .setService(SampleEvents.service("s1")).setReason("NoPoolAvailable")).build();
        assertThat(Subject.of(refused)).containsExactly(S1);
    }

    @Test
    void aPoolDefinitionOrRemovalConcernsThatPool() {
        assertThat(Subject.of(SampleEvents.pool("blue", "10.99.0.0/24"))).containsExactly(Subject.pool("blue"));
        Event removed = Event.newBuilder().setConfigRemoved(ConfigRemoved.newBuilder()
                .setKind(ConfigKind.POOL).setName("blue")).build();
        assertThat(Subject.of(removed)).containsExactly(Subject.pool("blue"));
    }

    @Test
    void otherConfigurationAndSnapshotsConcernNoSubject() {
        Event advertisementRemoved = Event.newBuilder().setConfigRemoved(ConfigRemoved.newBuilder()
                .setKind(ConfigKind.L2_ADVERTISEMENT).setName("blue")).build();
        Event advertisement = Event.newBuilder().setL2AdvertisementDefined(L2AdvertisementDefined.newBuilder()
                .setName("l2").addIpAddressPools("blue")).build();
        Event snapshot = Event.newBuilder().setSnapshotTaken(SnapshotTaken.newBuilder().setCoversSequence(7)).build();
        assertThat(Subject.of(advertisementRemoved)).isEmpty();
        assertThat(Subject.of(advertisement)).isEmpty();
        assertThat(Subject.of(snapshot)).isEmpty();
        assertThat(Subject.of(Event.getDefaultInstance())).isEmpty();
    }
}
