package io.ledgerlb.gobgp;

import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpPrefix;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ReconcilePlanTest {

    private static final InetAddress A = IpAddress.parseInet("192.0.2.1");
    private static final InetAddress B = IpAddress.parseInet("192.0.2.2");
    private static final DesiredPeer PEER_A = DesiredPeer.of(A, 65001);
    private static final DesiredPath P1 = DesiredPath.of(IpPrefix.of("198.51.100.1", 32));
    private static final DesiredPath P2 = DesiredPath.of(IpPrefix.of("2001:db8::2", 128));

    private static ObservedPeer observed(DesiredPeer peer) {
        return new ObservedPeer(peer.address(), peer.peerAsn(), peer.password().orElse(""), PeerSessionState.ESTABLISHED);
    }

    private static ObservedPath observed(DesiredPath path) {
        return ApiCodec.observed(ApiCodec.path(path)).orElseThrow();
    }

    @Test
    void whenGobgpdHoldsWhatIsWantedNothingIsSent() {
        ReconcilePlan plan = ReconcilePlan.between(Map.of(A, PEER_A), Map.of(A, PEER_A), List.of(observed(PEER_A)),
                Map.of(P1.prefix(), P1, P2.prefix(), P2), List.of(observed(P1), observed(P2)));
        assertThat(plan.empty()).isTrue();
    }

    @Test
    void anEmptyGobgpdAfterARestartGetsEverythingAgain() {
        ReconcilePlan plan = ReconcilePlan.between(Map.of(A, PEER_A), Map.of(A, PEER_A), List.of(),
                Map.of(P1.prefix(), P1, P2.prefix(), P2), List.of());
        assertThat(plan.peersToAdd()).containsExactly(PEER_A);
        assertThat(plan.pathsToAdd()).containsExactlyInAnyOrder(P1, P2);
        assertThat(plan.peersToDelete()).isEmpty();
        assertThat(plan.pathsToDelete()).isEmpty();
    }

    @Test
    void extraPathsAreDeletedOneByOneAsListedAndChangedOnesReplaced() {
        DesiredPath changed = new DesiredPath(P1.prefix(), P1.nextHop(), P1.origin(), 200L, List.of(), List.of());
        ReconcilePlan plan = ReconcilePlan.between(Map.of(), Map.of(), List.of(),
                Map.of(changed.prefix(), changed), List.of(observed(P1), observed(P2)));
        assertThat(plan.pathsToAdd()).containsExactly(changed);
        assertThat(plan.pathsToDelete()).containsExactly(observed(P2).api());
        assertThat(plan.pathsToDelete()).allSatisfy(p -> assertThat(p.hasNlri()).isTrue());
    }

    @Test
    void unwantedPeersGoAndAChangedPeerIsReplaced() {
        DesiredPeer withPassword = PEER_A.withPassword("new");
        ReconcilePlan plan = ReconcilePlan.between(Map.of(A, withPassword), Map.of(A, PEER_A),
                List.of(observed(PEER_A), observed(DesiredPeer.of(B, 65002))), Map.of(), List.of());
        assertThat(plan.peersToDelete()).containsExactlyInAnyOrder(A, B);
        assertThat(plan.peersToAdd()).containsExactly(withPassword);
    }

    @Test
    void aPeerAnEarlierBridgeAddedIsAdoptedWhenItMatches() {
        ReconcilePlan plan = ReconcilePlan.between(Map.of(A, PEER_A), Map.of(), List.of(observed(PEER_A)), Map.of(), List.of());
        assertThat(plan.empty()).isTrue();
        ReconcilePlan otherAs = ReconcilePlan.between(Map.of(A, PEER_A), Map.of(),
                List.of(observed(DesiredPeer.of(A, 65009))), Map.of(), List.of());
        assertThat(otherAs.peersToDelete()).containsExactly(A);
        assertThat(otherAs.peersToAdd()).containsExactly(PEER_A);
    }
}
