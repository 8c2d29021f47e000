package io.ledgerlb.speaker.bgp.announce;

import io.ledgerlb.events.v1.BfdProfileDefined;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.bfd.BfdPeer;
import io.ledgerlb.speaker.bgp.bfd.BfdSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A BGPPeer's {@code bfdProfile} → the BFD session the native backend runs beside its BGP session.
 * Pure. The allocator has already refused profiles with values outside MetalLB's ranges (an
 * interval of 0, a multiplier of 1: {@code InvalidConfiguration}); what is left to refuse here is
 * what this speaker does not do, each with a reason a condition can carry.
 *
 * <p>Single hop (RFC 5881, TTL 255 both ways) unless the peer has {@code ebgpMultiHop}, then
 * multihop (RFC 5883) accepting packets with a TTL of at least the profile's {@code minimumTtl}.
 * An iBGP peer is taken to be on a shared link, as MetalLB's routers usually are.
 */
public final class BfdProfiles {
    private BfdProfiles() {
    }

    /** Empty when the peer names no profile. */
    public static Optional<BfdPeer> bfdPeer(BgpPeerDefined peer, BgpPeerConfig config, Map<String, BfdProfileDefined> profiles) {
        String name = peer.getBfdProfile();
        if (name.isEmpty()) {
            return Optional.empty();
        }
        BfdProfileDefined profile = profiles.get(name);
        if (profile == null) {
            throw PeerConfigException.everyNode("BFDProfileNotFound", "bfdProfile '" + name
                    + "': there is no valid BFDProfile of that name (create it, or see its InvalidConfiguration event)");
        }
        if (profile.getEchoMode()) {
            throw PeerConfigException.everyNode("BFDEchoModeUnsupported", "BFDProfile " + name
                    + ": echoMode is not implemented by ledgerlb's BFD; set echoMode: false (asynchronous mode"
                    + " detects a lost path in receiveInterval × detectMultiplier)");
        }
        try {
            BfdSettings settings = new BfdSettings(Duration.ofMillis(profile.getTransmitIntervalMs()),
                    Duration.ofMillis(profile.getReceiveIntervalMs()), profile.getDetectMultiplier(), profile.getPassiveMode());
            return Optional.of(new BfdPeer(config.peerAddress(), config.ebgpMultihop(), profile.getMinimumTtl(), settings));
        } catch (IllegalArgumentException e) {
            throw PeerConfigException.everyNode("BFDProfileInvalid", "BFDProfile " + name + ": " + e.getMessage());
        }
    }
}
