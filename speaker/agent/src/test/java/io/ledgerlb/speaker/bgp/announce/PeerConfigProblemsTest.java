package io.ledgerlb.speaker.bgp.announce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.events.v1.SecretRef;
import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What keeps a BGPPeer from a session config, and whether every node finds the same. */
class PeerConfigProblemsTest {
    static final SecretRef REF = SecretRef.newBuilder().setNamespace("metallb-system").setName("edge").setKey("password").build();

    static BgpPeerDefined.Builder peer() {
        return BgpPeerDefined.newBuilder().setName("edge").setMyAsn(64512).setPeerAsn(64513).setPeerAddress("192.0.2.1");
    }

    static PeerConfigException fromLedger(BgpPeerDefined.Builder peer, String defaultRouterId) {
        return catchThrowableOfType(PeerConfigException.class, () ->
                BgpPeerConfigs.fromLedger(peer.build(), Optional.empty(), InetAddress.getByName(defaultRouterId)));
    }

    static PeerConfigException password(Secret secret) {
        return catchThrowableOfType(PeerConfigException.class, () -> BgpPeerConfigs.password(REF, secret));
    }

    static Secret secret(String type, Map<String, String> data) {
        return new SecretBuilder().withNewMetadata().withName("edge").endMetadata().withType(type).withData(data).build();
    }

    @Test
    void badAddressesAndRouterIdsOfTheBgpPeerAreTheSameOnEveryNode() {
        assertThat(fromLedger(peer().setPeerAddress("router.example"), "10.0.0.1"))
                .satisfies(e -> assertThat(e.everyNode()).isTrue())
                .returns("InvalidAddress", PeerConfigException::reason)
                .hasMessage("peerAddress 'router.example' is not an IP address");
        assertThat(fromLedger(peer().setRouterId("2001:db8::1"), "10.0.0.1"))
                .satisfies(e -> assertThat(e.everyNode()).isTrue())
                .returns("InvalidRouterID", PeerConfigException::reason);
        assertThat(fromLedger(peer().setRouterId("0.0.0.0"), "10.0.0.1")).returns("InvalidRouterID", PeerConfigException::reason);
    }

    @Test
    void anUnusableDefaultRouterIdIsThisNodesOwn() {
        assertThat(fromLedger(peer(), "0.0.0.0"))
                .satisfies(e -> assertThat(e.everyNode()).isFalse())
                .returns("InvalidRouterID", PeerConfigException::reason)
                .hasMessageContaining("set spec.routerID");
        assertThat(fromLedger(peer(), "2001:db8::7")).returns("InvalidRouterID", PeerConfigException::reason);
        assertThat(fromLedger(peer().setRouterId("10.9.9.9"), "0.0.0.0")).isNull(); // the BGPPeer's own is used
    }

    @Test
    void thePasswordSecretMustExistBeBasicAuthAndHoldTheKey() {
        assertThat(password(null)).returns("PasswordSecretNotFound", PeerConfigException::reason)
                .hasMessage("the password Secret metallb-system/edge does not exist; create it (type kubernetes.io/basic-auth, key password)");
        assertThat(password(secret("Opaque", Map.of("password", "czNjcmV0")))).returns("PasswordSecretWrongType", PeerConfigException::reason)
                .hasMessage("the password Secret metallb-system/edge is of type Opaque, not kubernetes.io/basic-auth");
        assertThat(password(secret("kubernetes.io/basic-auth", Map.of("username", "eA==")))).returns("PasswordSecretKeyMissing", PeerConfigException::reason);
        assertThat(password(secret("kubernetes.io/basic-auth", Map.of("password", "")))).returns("PasswordSecretKeyMissing", PeerConfigException::reason);
        assertThat(password(secret("kubernetes.io/basic-auth", Map.of("password", "czNjcmV0")))).isNull();
        assertThat(BgpPeerConfigs.password(REF, secret("kubernetes.io/basic-auth", Map.of("password", "czNjcmV0")))).isEqualTo("s3cret");
        assertThat(password(null).everyNode()).isTrue();
    }
}
