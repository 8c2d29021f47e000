package io.ledgerlb.speaker.bgp.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpSession;
import io.ledgerlb.speaker.bgp.SessionListener;
import io.ledgerlb.speaker.bgp.announce.BgpPeerConfigs;
import io.ledgerlb.speaker.bgp.interop.Speakers.Backend;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link InteropMatrix} against FRR 8.4 (bgpd + zebra), every cell; and the article's configuration. */
class FrrInteropMatrixTest extends InteropMatrix {
    @Override
    protected Router startRouter(InteropLab lab) throws IOException {
        return new FrrRouter(lab);
    }

    @Override
    protected String[] routerBinaries() {
        return new String[] {FrrRouter.ZEBRA, FrrRouter.BGPD, FrrRouter.VTYSH};
    }

    /**
     * The BGPPeer of the article the project started from, unchanged ({@code my-asn 64500},
     * {@code peer-asn 64500}, the router's address, nothing else: default timers, no source
     * address, no LOCAL_PREF in any advertisement), through the same conversion the speaker
     * applies to the ledger's peer: FRR must hold the Service IP with three paths and install them.
     * (Each node reaches the router at the router's address on the node's own link.)
     */
    @ParameterizedTest(name = "{0} speakers")
    @EnumSource(Backend.class)
    void theArticlesIbgpConfigurationGivesFrrThreePaths(Backend backend) {
        Advertisement service = Advertisement.of(IpPrefix.parse("192.0.2.200/32"));
        List<BgpSession> sessions = new ArrayList<>();
        try {
            for (int i = 1; i <= InteropLab.SPEAKERS; i++) {
                BgpPeerDefined article = BgpPeerDefined.newBuilder().setName("router").setMyAsn(64500).setPeerAsn(64500)
                        .setPeerAddress(lab.router(i, false).getHostAddress()).build();
                BgpSession session = speakers(backend).speaker(i).open(
                        BgpPeerConfigs.fromLedger(article, Optional.empty(), lab.speaker(i, SessionKind.IBGP_IPV4)), SessionListener.NONE);
                sessions.add(session);
                session.set(List.of(service));
            }
            awaitPaths(service, SessionKind.IBGP_IPV4, Set.of(1, 2, 3));
        } finally {
            sessions.forEach(BgpSession::close);
        }
        awaitPaths(service, SessionKind.IBGP_IPV4, Set.of());
    }

    /**
     * MetalLB's default, {@code dualStackAddressFamily: false}: an IPv4 session offers only IPv4
     * unicast in its OPEN and carries only the IPv4 Service IP, though FRR activates IPv6 for the
     * neighbor and the speaker has an IPv6 next hop on that link (with {@code true} the matrix's
     * cells carry both).
     */
    @ParameterizedTest(name = "{0} speakers")
    @EnumSource(Backend.class)
    void withoutDualStackAddressFamilyAnIpv4SessionCarriesIpv4Only(Backend backend) {
        Advertisement v4 = Advertisement.of(IpPrefix.parse("192.0.2.201/32"));
        Advertisement v6 = Advertisement.of(IpPrefix.parse("2001:db8::c9/128"));
        List<BgpSession> sessions = new ArrayList<>();
        try {
            for (int i = 1; i <= InteropLab.SPEAKERS; i++) {
                BgpSession session = speakers(backend).speaker(i).open(
                        lab.peer(i, SessionKind.IBGP_IPV4).withDualStackAddressFamily(false), SessionListener.NONE);
                sessions.add(session);
                session.set(List.of(v4, v6));
            }
            awaitPaths(v4, SessionKind.IBGP_IPV4, Set.of(1, 2, 3));
            FrrRouter frr = (FrrRouter) router;
            for (int i = 1; i <= InteropLab.SPEAKERS; i++) {
                assertThat(frr.familiesReceivedFrom(lab.speaker(i, SessionKind.IBGP_IPV4))).as("speaker %d's OPEN", i)
                        .containsExactly("ipv4Unicast");
            }
            assertThat(router.paths(v6.prefix())).as("IPv6 over an IPv4 session without dualStackAddressFamily").isEmpty();
        } finally {
            sessions.forEach(BgpSession::close);
        }
        awaitPaths(v4, SessionKind.IBGP_IPV4, Set.of());
    }
}
