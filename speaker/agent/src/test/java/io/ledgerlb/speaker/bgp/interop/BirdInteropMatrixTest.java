package io.ledgerlb.speaker.bgp.interop;

import java.io.IOException;

/** {@link InteropMatrix} against BIRD 2. */
class BirdInteropMatrixTest extends InteropMatrix {
    @Override
    protected Router startRouter(InteropLab lab) throws IOException {
        return new BirdRouter(lab);
    }

    /** Native: every kind; GoBGP: the article's iBGP over IPv4 and eBGP over IPv6 (FRR covers GoBGP on every kind). */
    @Override
    protected boolean coveredInCi(Speakers.Backend backend, SessionKind kind) {
        return backend == Speakers.Backend.NATIVE || kind == SessionKind.IBGP_IPV4 || kind == SessionKind.EBGP_4OCTET_IPV6;
    }

    @Override
    protected String[] routerBinaries() {
        return new String[] {"/usr/sbin/bird", "/usr/sbin/birdc"};
    }
}
