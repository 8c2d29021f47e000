package io.ledgerlb.allocator.k8s.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BgpPeerIgnoredFieldsTest {

    static GenericKubernetesResource peer(Map<String, String> annotations, Map<String, Object> spec) {
        return new GenericKubernetesResourceBuilder().withApiVersion("metallb.io/v1beta2").withKind("BGPPeer")
                .withNewMetadata().withName("tor").withAnnotations(annotations).endMetadata()
                .withAdditionalProperties(Map.of("spec", spec)).build();
    }

    @Test
    void metallbsFieldsAndTheBackendAnnotationAreRead() {
        assertThat(BgpPeerIgnoredFields.of(peer(Map.of("ledgerlb.io/bgp-backend", "gobgp", "team", "net"),
                Map.of("myASN", 64500, "peerASN", 64500, "peerAddress", "192.0.2.1", "connectTime", "5s",
                        "dualStackAddressFamily", true)))).isEmpty();
    }

    @Test
    void aSpecBackendSaysWhereTheBackendIsChosen() {
        assertThat(BgpPeerIgnoredFields.of(peer(Map.of(), Map.of("myASN", 64500, "backend", "gobgp"))))
                .containsExactly("spec.backend is not a BGPPeer field and is ignored: choose the backend with the"
                        + " annotation ledgerlb.io/bgp-backend: native|gobgp");
    }

    @Test
    void misspelledFieldsAndAnnotationsAreNamed() {
        assertThat(BgpPeerIgnoredFields.of(peer(
                Map.of("ledgerlb.io/bgp-backnd", "gobgp", "metallb.io/bgp-backend", "gobgp", "Ledgerlb.io/bgp-backend", "x"),
                Map.of("peerAdress", "192.0.2.1"))))
                .containsExactly("spec.peerAdress is not a field of MetalLB's v1beta2 BGPPeer and is ignored",
                        "annotation Ledgerlb.io/bgp-backend is not one ledgerlb reads and is ignored;"
                                + " the backend is chosen with ledgerlb.io/bgp-backend: native|gobgp",
                        "annotation ledgerlb.io/bgp-backnd is not one ledgerlb reads and is ignored;"
                                + " the backend is chosen with ledgerlb.io/bgp-backend: native|gobgp",
                        "annotation metallb.io/bgp-backend is not one ledgerlb reads and is ignored;"
                                + " the backend is chosen with ledgerlb.io/bgp-backend: native|gobgp");
    }
}
