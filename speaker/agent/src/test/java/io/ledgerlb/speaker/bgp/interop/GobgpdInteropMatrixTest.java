package io.ledgerlb.speaker.bgp.interop;

import java.io.IOException;

/** {@link InteropMatrix} against gobgpd as the router. */
class GobgpdInteropMatrixTest extends InteropMatrix {
    @Override
    protected Router startRouter(InteropLab lab) throws IOException {
        return new GobgpdRouter(lab);
    }

    /**
     * Sessions over IPv4 only: gobgpd 3.10 as a router holds no path for the IPv4 prefix sent
     * over an IPv6 session (both backends alike, while FRR and BIRD install it). GoBGP speakers:
     * the article's iBGP only (FRR covers GoBGP on every kind).
     */
    @Override
    protected boolean coveredInCi(Speakers.Backend backend, SessionKind kind) {
        return !kind.ipv6() && (backend == Speakers.Backend.NATIVE || kind == SessionKind.IBGP_IPV4);
    }

    @Override
    protected String[] routerBinaries() {
        return new String[] {"/usr/bin/gobgp"};
    }
}
