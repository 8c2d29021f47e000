package io.ledgerlb.speaker.bgp.interop;

import java.io.IOException;

/** {@link InteropMatrix} against FRR 8.4 (bgpd + zebra). */
class FrrInteropMatrixTest extends InteropMatrix {
    @Override
    protected Router startRouter(InteropLab lab) throws IOException {
        return new FrrRouter(lab);
    }

    @Override
    protected String[] routerBinaries() {
        return new String[] {FrrRouter.ZEBRA, FrrRouter.BGPD, FrrRouter.VTYSH};
    }
}
