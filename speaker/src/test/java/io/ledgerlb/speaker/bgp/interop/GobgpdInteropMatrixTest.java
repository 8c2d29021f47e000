package io.ledgerlb.speaker.bgp.interop;

import java.io.IOException;

/** {@link InteropMatrix} against gobgpd as the router. */
class GobgpdInteropMatrixTest extends InteropMatrix {
    @Override
    protected Router startRouter(InteropLab lab) throws IOException {
        return new GobgpdRouter(lab);
    }

    @Override
    protected String[] routerBinaries() {
        return new String[] {"/usr/bin/gobgp"};
    }
}
