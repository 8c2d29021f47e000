package io.ledgerlb.speaker.bgp.fsm;

import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import java.net.Inet4Address;
import java.time.Duration;

/**
 * How one session behaves.
 *
 * @param passive          wait for the peer to connect instead of connecting
 * @param firstRetry       the first connect-retry delay; it doubles on each failure up to the
 *                         peer's connect time (RFC 4271 §8: ConnectRetryTimer, with backoff)
 * @param restartTime      RFC 4724 restart time announced when graceful restart is on
 */
public record FsmSettings(BgpPeerConfig peer, Inet4Address routerId, boolean passive, Duration firstRetry,
                          Duration restartTime) {
    /** RFC 4271 §8: the hold timer while waiting for OPEN ("a large value"; 4 minutes suggested). */
    public static final Duration OPEN_HOLD_TIME = Duration.ofMinutes(4);

    public static FsmSettings active(BgpPeerConfig peer) {
        if (!(peer.routerId() instanceof Inet4Address id)) {
            throw new IllegalArgumentException("router id must be an IPv4 address: " + peer.routerId());
        }
        return new FsmSettings(peer, id, false, Duration.ofSeconds(1), Duration.ofSeconds(120));
    }

    public FsmSettings withPassive(boolean passive) {
        return new FsmSettings(peer, routerId, passive, firstRetry, restartTime);
    }

    public FsmSettings withFirstRetry(Duration firstRetry) {
        return new FsmSettings(peer, routerId, passive, firstRetry, restartTime);
    }
}
