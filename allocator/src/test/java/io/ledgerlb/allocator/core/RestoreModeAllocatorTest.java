package io.ledgerlb.allocator.core;

import static io.ledgerlb.allocator.core.Fixtures.NOW;
import static io.ledgerlb.allocator.core.Fixtures.cause;
import static io.ledgerlb.allocator.core.Fixtures.pool;
import static io.ledgerlb.allocator.core.Fixtures.svc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.ledger.state.ServiceKey;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Restore mode in the pure step: reservations hold against deletion, newcomers and pool removal. */
class RestoreModeAllocatorTest {
    static final Map<String, String> SHARED = Map.of("metallb.io/allow-shared-ip", "k");
    final Allocator allocator = new Allocator("allocator-0", null);
    final InMemoryChain chain = new InMemoryChain(allocator);

    Decision apply(ServiceRequest.Builder service) {
        ServiceRequest request = service.build();
        return chain.commit(allocator.serviceChanged(chain.state(), request, cause("Service", request.key().name()), NOW));
    }

    Decision delete(String name) {
        return chain.commit(allocator.serviceDeleted(chain.state(), key(name), cause("Service", name), NOW));
    }

    List<String> ipsOf(String name) {
        return chain.state().assignmentsOf(key(name)).stream().map(IpAssigned::getIp).sorted().toList();
    }

    static ServiceKey key(String name) {
        return new ServiceKey("default", name);
    }

    void start() {
        chain.commit(allocator.restoreStarted(chain.state(), cause("Restore", ""), NOW));
    }

    @Test
    void aMissingServiceKeepsItsIpsAndGetsThemBackWithANewUid() {
        chain.commit(allocator.poolDefined(chain.state(), pool("p", "192.0.2.0/30"), cause("IPAddressPool", "p"), NOW));
        apply(svc("a").annotations(SHARED).ports(Port.tcp(80)));
        apply(svc("b").annotations(SHARED).ports(Port.tcp(443))); // shares a's IP
        apply(svc("c"));
        start();
        assertThat(chain.state().reserved()).containsExactly(key("a"), key("b"), key("c"));

        assertThat(delete("a").events()).isEmpty(); // missing from the API: kept
        // a newcomer with the same sharing key neither shares a reserved IP nor asks for one
        assertThat(apply(svc("new").annotations(SHARED).ports(Port.tcp(8080))).events().get(0).getIpAssigned().getIp())
                .isEqualTo("192.0.2.2");
        Decision asked = apply(svc("asker").annotations(Map.of("metallb.io/loadBalancerIPs", "192.0.2.1")));
        assertThat(asked.events()).singleElement().satisfies(e ->
                assertThat(e.getAllocationRefused().getMessage()).contains("reserved until it reappears"));

        // a reappears (new uid): claims, keeps its IP beside b, which is still reserved
        Decision back = apply(svc("a").uid("uid-a-2").annotations(SHARED).ports(Port.tcp(80)));
        assertThat(back.events()).extracting(Event::getBodyCase).containsExactly(Event.BodyCase.RESERVATION_CLAIMED,
                Event.BodyCase.IP_ASSIGNED);
        assertThat(back.events().get(0).getReservationClaimed().getIpsList()).containsExactly("192.0.2.0");
        assertThat(ipsOf("a")).containsExactly("192.0.2.0");
        assertThat(chain.state().reserved()).containsExactly(key("b"), key("c"));

        // a pool holding reservations is not removed; a release frees the IP; the end releases the rest
        assertThat(chain.commit(allocator.poolRemoved(chain.state(), "p", cause("IPAddressPool", "p"), NOW)).events()).isEmpty();
        chain.commit(allocator.reservationReleased(chain.state(), key("c"), cause("Restore", ""), NOW));
        assertThat(ipsOf("c")).isEmpty();
        assertThatThrownBy(() -> allocator.reservationReleased(chain.state(), key("c"), cause("Restore", ""), NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not reserved");
        Decision end = chain.commit(allocator.restoreEnded(chain.state(), Set.of(key("a")), cause("Restore", ""), NOW));
        assertThat(end.outcome()).isEqualTo(new Outcome.RestoreChanged(false, 0, List.of("192.0.2.0")));
        assertThat(ipsOf("b")).isEmpty();
        assertThat(ipsOf("a")).containsExactly("192.0.2.0");
        assertThat(chain.state().restoring()).isFalse();
        assertThat(delete("a").events()).hasSize(1); // deletions release again
    }
}
