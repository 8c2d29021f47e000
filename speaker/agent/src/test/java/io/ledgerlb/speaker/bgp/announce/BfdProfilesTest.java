package io.ledgerlb.speaker.bgp.announce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ledgerlb.events.v1.BfdProfileDefined;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import io.ledgerlb.speaker.bgp.bfd.BfdPeer;
import io.ledgerlb.speaker.bgp.bfd.BfdSettings;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BfdProfilesTest {
    private static final BfdProfileDefined FAST = BfdProfileDefined.newBuilder().setName("fast").setReceiveIntervalMs(300)
            .setTransmitIntervalMs(200).setDetectMultiplier(3).setEchoIntervalMs(50).setMinimumTtl(250).build();
    private static final BgpPeerDefined PEER = BgpPeerDefined.newBuilder().setName("p").setMyAsn(65000).setPeerAsn(65001)
            .setPeerAddress("192.0.2.1").setBfdProfile("fast").build();

    private static BgpPeerConfig config(BgpPeerDefined peer) throws Exception {
        return BgpPeerConfigs.fromLedger(peer, Optional.empty(), InetAddress.getByName("10.0.0.1"));
    }

    @Test
    void theProfileBecomesTheSessionsTimers() throws Exception {
        assertThat(BfdProfiles.bfdPeer(PEER, config(PEER), Map.of("fast", FAST))).contains(new BfdPeer(
                InetAddress.getByName("192.0.2.1"), false, 250,
                new BfdSettings(Duration.ofMillis(200), Duration.ofMillis(300), 3, false)));
        BgpPeerDefined multihop = PEER.toBuilder().setEbgpMultihop(true).build();
        assertThat(BfdProfiles.bfdPeer(multihop, config(multihop), Map.of("fast", FAST.toBuilder().setPassiveMode(true).build())))
                .hasValueSatisfying(p -> {
                    assertThat(p.multihop()).isTrue();
                    assertThat(p.port()).isEqualTo(4784);
                    assertThat(p.acceptedTtl()).isEqualTo(250);
                    assertThat(p.settings().passive()).isTrue();
                });
        BgpPeerDefined none = PEER.toBuilder().clearBfdProfile().build();
        assertThat(BfdProfiles.bfdPeer(none, config(none), Map.of())).isEmpty();
    }

    @Test
    void whatCannotBeRunIsRefusedWithAReason() throws Exception {
        assertThatThrownBy(() -> BfdProfiles.bfdPeer(PEER, config(PEER), Map.of()))
                .isInstanceOfSatisfying(PeerConfigException.class, e -> assertThat(e.reason()).isEqualTo("BFDProfileNotFound"))
                .hasMessageContaining("bfdProfile 'fast'");
        assertThatThrownBy(() -> BfdProfiles.bfdPeer(PEER, config(PEER), Map.of("fast", FAST.toBuilder().setEchoMode(true).build())))
                .isInstanceOfSatisfying(PeerConfigException.class, e -> assertThat(e.reason()).isEqualTo("BFDEchoModeUnsupported"))
                .hasMessageContaining("echoMode");
        // the allocator refuses these first; a ledger written before it did still gets a clear answer
        assertThatThrownBy(() -> BfdProfiles.bfdPeer(PEER, config(PEER), Map.of("fast", FAST.toBuilder().setReceiveIntervalMs(0).build())))
                .isInstanceOfSatisfying(PeerConfigException.class, e -> assertThat(e.reason()).isEqualTo("BFDProfileInvalid"))
                .hasMessageContaining("BFDProfile fast");
    }
}
