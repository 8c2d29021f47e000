package io.ledgerlb.speaker.bgp.interop;

import java.io.IOException;

/** {@link InteropMatrix} against gobgpd as the router. */
class GobgpdInteropMatrixTest extends InteropMatrix {
    @Override
    protected Router startRouter(InteropLab lab) throws IOException {
        return new GobgpdRouter(lab);
    }

    /** GoBGP speakers: the article's iBGP and eBGP over IPv6 (FRR covers GoBGP on every kind). */
    @Override
    protected boolean coveredInCi(Speakers.Backend backend, SessionKind kind) {
        return backend == Speakers.Backend.NATIVE || kind == SessionKind.IBGP_IPV4 || kind == SessionKind.EBGP_4OCTET_IPV6;
    }

    @Override
    protected String[] routerBinaries() {
        return new String[] {"/usr/bin/gobgp"};
    }
}
