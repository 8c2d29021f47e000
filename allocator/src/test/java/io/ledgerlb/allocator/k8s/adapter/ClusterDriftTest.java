package io.ledgerlb.allocator.k8s.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.RestoreStarted;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.ledger.testing.SampleEvents;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterDriftTest {

    @Test
    void reportsServicesWhoseStatusDiffersFromTheLedger() {
        LedgerState state = fold(SampleEvents.pool("p", "10.99.0.0/24"), SampleEvents.assign("a", "10.99.0.1"),
                SampleEvents.assign("b", "10.99.0.2"), SampleEvents.assign("gone", "10.99.0.3"));
        List<Service> cluster = List.of(
                service("a", "10.99.0.1"),        // as the ledger says
                service("b", "10.99.0.9"),        // drifted
                service("other", "203.0.113.5"),  // another load balancer's: not ours, not drift
                service("thief", "10.99.0.1"));   // shows an IP the ledger gives to a

        List<ClusterDrift.Drift> drift = ClusterDrift.between(state, cluster);

        assertThat(drift).extracting(ClusterDrift.Drift::service).containsExactly(
                new ServiceKey("default", "b"), new ServiceKey("default", "gone"), new ServiceKey("default", "thief"));
        assertThat(drift.get(0).inStatus()).containsExactly("10.99.0.9");
        assertThat(drift.get(0).inLedger()).containsExactly("10.99.0.2");
    }

    @Test
    void aServiceReservedWhileRestoringIsMissingByDesign() {
        LedgerState state = fold(SampleEvents.pool("p", "10.99.0.0/24"), SampleEvents.assign("gone", "10.99.0.3"),
                Event.newBuilder().setRestoreStarted(RestoreStarted.getDefaultInstance()).build());
        assertThat(ClusterDrift.between(state, List.of())).isEmpty();
    }

    private static Service service(String name, String ip) {
        return new ServiceBuilder().withNewMetadata().withNamespace("default").withName(name).endMetadata()
                .withNewStatus().withNewLoadBalancer().addNewIngress().withIp(ip).endIngress().endLoadBalancer()
                .endStatus().build();
    }

    private static LedgerState fold(Event... events) {
        LedgerState state = new LedgerState();
        for (Event e : events) {
            state.apply(LedgerEntry.seal(e.toBuilder().setSequence(state.sequence() + 1)
                    .setPrevHash(ByteString.copyFrom(state.lastHash())).build()));
        }
        return state;
    }
}
