package io.ledgerlb.allocator.k8s.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CrdRoundTripTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static Stream<Arguments> manifests() {
        return Stream.of(
                Arguments.of("ipaddresspool.yaml", IPAddressPool.class),
                Arguments.of("l2advertisement.yaml", L2Advertisement.class),
                Arguments.of("bgpadvertisement.yaml", BGPAdvertisement.class),
                Arguments.of("community.yaml", Community.class),
                Arguments.of("bfdprofile.yaml", BFDProfile.class),
                Arguments.of("bgppeer.yaml", BGPPeer.class));
    }

    @ParameterizedTest
    @MethodSource("manifests")
    void yamlToTypedObjectToYamlKeepsEveryField(String file, Class<? extends HasMetadata> type) throws IOException {
        String original = fixture(file);

        HasMetadata typed = Serialization.unmarshal(original, type);
        String written = Serialization.asYaml(typed);

        assertThat(typed).isInstanceOf(type);
        assertThat(YAML.readTree(written)).isEqualTo(YAML.readTree(original));
    }

    @Test
    void typedFieldsCarryTheValues() {
        IPAddressPool pool = Serialization.unmarshal(fixture("ipaddresspool.yaml"), IPAddressPool.class);
        assertThat(pool.getSpec().addresses()).containsExactly(
                "192.168.10.0/24", "192.168.9.1-192.168.9.5", "fc00:f853:0ccd:e799::/124");
        assertThat(pool.getSpec().autoAssign()).isFalse();
        assertThat(pool.getSpec().serviceAllocation().priority()).isEqualTo(50);
        assertThat(pool.getSpec().serviceAllocation().serviceSelectors().get(0).getMatchExpressions().get(0).getValues())
                .containsExactly("serviceA", "serviceB");
        assertThat(pool.getStatus().availableIPv4()).isEqualTo(258L);
        assertThat(pool.getStatus().conditions().get(0).getType()).isEqualTo("Valid");

        BGPPeer peer = Serialization.unmarshal(fixture("bgppeer.yaml"), BGPPeer.class);
        assertThat(peer.getApiVersion()).isEqualTo("metallb.io/v1beta2");
        assertThat(peer.getSpec().myASN()).isEqualTo(4_200_000_001L);
        assertThat(peer.getSpec().holdTime()).isEqualTo("1m30s");
        assertThat(peer.getSpec().passwordSecret().getName()).isEqualTo("peer-a-password");
    }

    @Test
    void interfaceFieldKeepsItsKubernetesName() throws IOException {
        BGPPeer peer = Serialization.unmarshal("""
                apiVersion: metallb.io/v1beta2
                kind: BGPPeer
                metadata: {name: unnumbered}
                spec: {myASN: 64500, peerASN: 64501, interface: eth1}
                """, BGPPeer.class);

        assertThat(peer.getSpec().iface()).isEqualTo("eth1");
        JsonNode spec = YAML.readTree(Serialization.asYaml(peer)).get("spec");
        assertThat(spec.get("interface").asText()).isEqualTo("eth1");
        assertThat(spec.has("iface")).isFalse();
    }

    static String fixture(String file) {
        try (InputStream in = CrdRoundTripTest.class.getResourceAsStream("/metallb/" + file)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
