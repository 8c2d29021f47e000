package io.ledgerlb.speaker.bgp.interop;

import java.io.IOException;

/** {@link InteropMatrix} against BIRD 2. */
class BirdInteropMatrixTest extends InteropMatrix {
    @Override
    protected Router startRouter(InteropLab lab) throws IOException {
        return new BirdRouter(lab);
    }

    @Override
    protected String[] routerBinaries() {
        return new String[] {"/usr/sbin/bird", "/usr/sbin/birdc"};
    }
}
