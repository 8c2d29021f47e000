package io.ledgerlb.speaker.bgp.interop;

import java.io.IOException;

/** {@link InteropMatrix} against gobgpd as the router. */
class GobgpdInteropMatrixTest extends InteropMatrix {
    @Override
    protected Router startRouter(InteropLab lab) throws IOException {
        return new GobgpdRouter(lab);
    }

    /**
     * gobgpd 3.10 as a router holds no path for an IPv4 prefix sent over an IPv6 session (both
     * backends alike, while FRR and BIRD install it): its IPv6 sessions carry IPv6 only, MetalLB's
     * default ({@code dualStackAddressFamily: false}), which those cells then test.
     */
    @Override
    protected boolean dualStack(SessionKind kind) {
        return !kind.ipv6();
    }

    /** GoBGP speakers: the article's iBGP and the IPv6 eBGP (FRR covers GoBGP on every kind). */
    @Override
    protected boolean coveredInCi(Speakers.Backend backend, SessionKind kind) {
        return backend == Speakers.Backend.NATIVE || kind == SessionKind.IBGP_IPV4 || kind == SessionKind.EBGP_4OCTET_IPV6;
    }

    @Override
    protected String[] routerBinaries() {
        return new String[] {"/usr/bin/gobgp"};
    }
}
