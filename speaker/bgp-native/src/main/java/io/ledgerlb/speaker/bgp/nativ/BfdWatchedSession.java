package io.ledgerlb.speaker.bgp.nativ;

import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.BgpSession;
import io.ledgerlb.speaker.bgp.SessionState;
import io.ledgerlb.speaker.bgp.bfd.BfdEndpoint;
import io.ledgerlb.speaker.bgp.bfd.BfdState;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** A native BGP session and the BFD session that watches its path: closed together. */
final class BfdWatchedSession implements BgpSession {
    private final NativeSession bgp;
    private final BfdEndpoint.Handle bfd;

    BfdWatchedSession(NativeSession bgp, BfdEndpoint.Handle bfd) {
        this.bgp = bgp;
        this.bfd = bfd;
    }

    @Override
    public void set(Collection<Advertisement> advertisements) {
        bgp.set(advertisements);
    }

    @Override
    public void change(Map<IpPrefix, Optional<Advertisement>> changes, Supplier<Collection<Advertisement>> whole) {
        bgp.change(changes, whole);
    }

    @Override
    public SessionState state() {
        return bgp.state();
    }

    public BfdState bfdState() {
        return bfd.state();
    }

    @Override
    public void close() {
        bfd.close();
        bgp.close();
    }

    /** Ends the BFD session and the BGP one as for a restart (no NOTIFICATION where graceful restart was negotiated). */
    @Override
    public void handOver() {
        bfd.close();
        bgp.closeForRestart();
    }
}
