package io.ledgerlb.allocator.legacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.ledgerlb.allocator.k8s.config.ConfigMapper;
import io.ledgerlb.allocator.k8s.crd.BGPAdvertisement;
import io.ledgerlb.allocator.k8s.crd.BGPPeer;
import io.ledgerlb.allocator.k8s.crd.Community;
import io.ledgerlb.allocator.k8s.crd.IPAddressPool;
import io.ledgerlb.allocator.k8s.crd.L2Advertisement;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigMapImporterTest {

    @Test
    void layer2ExampleOfTheReferenceArticle() {
        List<HasMetadata> objects = ConfigMapImporter.importConfigMap(fixture("metallb-introduction-layer2.yaml"));

        assertThat(objects).extracting(o -> o.getKind() + " " + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName())
                .containsExactly("IPAddressPool metallb-system/my-ip-space", "L2Advertisement metallb-system/my-ip-space");
        IPAddressPool pool = (IPAddressPool) objects.get(0);
        assertThat(pool.getSpec().addresses()).containsExactly("192.168.143.230-192.168.143.250");
        assertThat(pool.getSpec().autoAssign()).isNull();
        assertThat(((L2Advertisement) objects.get(1)).getSpec().ipAddressPools()).containsExactly("my-ip-space");
    }

    @Test
    void bgpExampleOfTheReferenceArticle() {
        List<HasMetadata> objects = ConfigMapImporter.importConfigMap(fixture("metallb-introduction-bgp.yaml"));

        assertThat(objects).extracting(HasMetadata::getKind).containsExactly("BGPPeer", "IPAddressPool", "BGPAdvertisement");
        BGPPeer peer = (BGPPeer) objects.get(0);
        assertThat(peer.getSpec().myASN()).isEqualTo(64500L);
        assertThat(peer.getSpec().peerASN()).isEqualTo(64500L);
        assertThat(peer.getSpec().peerAddress()).isEqualTo("192.168.121.10");
        BGPAdvertisement advertisement = (BGPAdvertisement) objects.get(2);
        assertThat(advertisement.getSpec().ipAddressPools()).containsExactly("my-ip-space");
        assertThat(advertisement.getSpec().aggregationLength()).isNull();
    }

    @Test
    void everyLegacyFieldLandsInItsCrdAndThePasswordInASecret() {
        List<HasMetadata> objects = ConfigMapImporter.importConfigMap(fixture("everything.yaml"));

        assertThat(objects).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).containsExactly(
                "Secret/peer-1-password", "Community/bgp-communities", "BFDProfile/fast", "BGPPeer/peer-1",
                "BGPPeer/peer-2", "IPAddressPool/web", "BGPAdvertisement/web-1", "BGPAdvertisement/web-2",
                "IPAddressPool/lab", "L2Advertisement/lab");
        assertThat(objects).allMatch(o -> o.getMetadata().getNamespace().equals("lb"));

        Secret secret = (Secret) objects.get(0);
        assertThat(secret.getType()).isEqualTo("kubernetes.io/basic-auth");
        assertThat(secret.getStringData()).containsEntry("password", "s3cret");

        BGPPeer peer = (BGPPeer) objects.get(3);
        assertThat(peer.getSpec().password()).isNull();
        assertThat(peer.getSpec().passwordSecret().getName()).isEqualTo("peer-1-password");
        assertThat(peer.getSpec().peerPort()).isEqualTo(1179);
        assertThat(peer.getSpec().holdTime()).isEqualTo("120s");
        assertThat(peer.getSpec().keepaliveTime()).isEqualTo("40s");
        assertThat(peer.getSpec().routerID()).isEqualTo("10.0.0.100");
        assertThat(peer.getSpec().sourceAddress()).isEqualTo("10.0.0.2");
        assertThat(peer.getSpec().ebgpMultiHop()).isTrue();
        assertThat(peer.getSpec().bfdProfile()).isEqualTo("fast");
        assertThat(peer.getSpec().nodeSelectors().get(0).getMatchLabels()).containsEntry("rack", "frontend");
        assertThat(peer.getSpec().nodeSelectors().get(0).getMatchExpressions().get(0).getOperator()).isEqualTo("NotIn");
        assertThat(ConfigMapper.bgpPeer(peer).getPassword().getName()).isEqualTo("peer-1-password");

        IPAddressPool web = (IPAddressPool) objects.get(5);
        assertThat(web.getSpec().autoAssign()).isFalse();
        assertThat(web.getSpec().avoidBuggyIPs()).isTrue();
        BGPAdvertisement first = (BGPAdvertisement) objects.get(6);
        assertThat(first.getSpec().localPref()).isEqualTo(100L);
        assertThat(first.getSpec().communities()).containsExactly("no-advertise");
        assertThat(ConfigMapper.bgpAdvertisement(first, List.of((Community) objects.get(1))).getCommunitiesList())
                .containsExactly("65535:65282");
        assertThat(((BGPAdvertisement) objects.get(7)).getSpec().aggregationLength()).isEqualTo(24);
        assertThat(((IPAddressPool) objects.get(8)).getSpec().addresses()).containsExactly("192.0.2.0/28", "fd00:99::/124");
    }

    @Test
    void bareConfigGoesToMetalLbsNamespace() {
        List<HasMetadata> objects = ConfigMapImporter.importConfigMap("""
                address-pools:
                - {name: p, protocol: layer2, addresses: [192.0.2.0/30]}
                """);

        assertThat(objects).allMatch(o -> o.getMetadata().getNamespace().equals("metallb-system"));
    }

    @Test
    void yamlOutputParsesBackIntoTheSameObjects() {
        List<HasMetadata> objects = ConfigMapImporter.importConfigMap(fixture("everything.yaml"));

        String yaml = ConfigMapImporter.toYaml(objects);

        assertThat(yaml).startsWith("---\n").contains("kind: \"BGPPeer\"").contains("\n---\n");
        List<HasMetadata> parsed = Serialization.unmarshal(yaml);
        assertThat(parsed).hasSameSizeAs(objects);
        for (int i = 0; i < objects.size(); i++) {
            assertThat(Serialization.asJson(parsed.get(i))).isEqualTo(Serialization.asJson(objects.get(i)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            address-pools: [{name: p, protocol: l3, addresses: [10.0.0.0/8]}]                | address-pools[0].protocol: must be layer2 or bgp, not "l3"
            address-pools: [{name: p, addresses: [10.0.0.0/8]}]                              | address-pools[0].protocol: required
            address-pools: [{protocol: bgp, addresses: [10.0.0.0/8]}]                        | address-pools[0].name: required
            address-pools: [{name: p, protocol: bgp, adresses: [10.0.0.0/8]}]                | address-pools[0].adresses: unknown key
            address-pools: [{name: p, protocol: bgp, addresses: 10.0.0.0/8}]                 | address-pools[0].addresses: must be a list
            address-pools: [{name: p, protocol: bgp, addresses: []}]                         | address-pools[0]: becomes an invalid IPAddressPool metallb-system/p: spec.addresses: must list at least one CIDR or range
            address-pools: [{name: p, protocol: bgp, addresses: [a], auto-assign: maybe}]    | address-pools[0].auto-assign: must be true or false, not "maybe"
            address-pools: [{name: p, protocol: layer2, addresses: [a], bgp-advertisements: [{}]}] | address-pools[0].bgp-advertisements: only pools with protocol bgp have them
            address-pools: [{name: p, protocol: bgp, addresses: [a], bgp-advertisements: [{communities: [nope]}]}] | address-pools[0].bgp-advertisements[0]: becomes an invalid BGPAdvertisement metallb-system/p: spec.communities[0]: "nope" is neither
            peers: [{peer-asn: 1, peer-address: 10.0.0.1}]                                     | peers[0].my-asn: required
            peers: [{my-asn: 1, peer-asn: 4294967296, peer-address: 10.0.0.1}]                 | peers[0].peer-asn: must be a whole number from 1 to 4294967295, not "4294967296"
            peers: [{my-asn: 1, peer-asn: 2, peer-address: 10.0.0.1, hold-time: forever}]      | peers[0]: becomes an invalid BGPPeer metallb-system/peer-1: spec.holdTime: "forever" is not a duration
            peers: [{my-asn: 1, peer-asn: 2, peer-address: 10.0.0.1, node-selectors: [{match-label: {a: b}}]}] | peers[0].node-selectors[0].match-label: unknown key
            bgp-communities: {a: [1]}                                                          | bgp-communities.a: must be a single value
            address_pools: []                                                                  | address_pools: unknown key
            '[1, 2]'                                                                           | must be a YAML mapping
            'a: [b'                                                                            | not valid YAML
            """)
    void malformedConfigNamesTheOffendingKey(String config, String message) {
        assertThatThrownBy(() -> ConfigMapImporter.importConfigMap(config))
                .isInstanceOf(ConfigMapImportException.class).hasMessageStartingWith(message);
    }

    @Test
    void configMapWithoutConfigKeyIsRefused() {
        assertThatThrownBy(() -> ConfigMapImporter.importConfigMap("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: config}
                data: {other: x}
                """)).isInstanceOf(ConfigMapImportException.class)
                .hasMessage("data.config: required: the ConfigMap has no config key");
    }

    @Test
    void brokenConfigInsideTheConfigMapNamesDataConfig() {
        assertThatThrownBy(() -> ConfigMapImporter.importConfigMap("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: config}
                data:
                  config: "address-pools: [oops"
                """)).hasMessageStartingWith("data.config: not valid YAML");
    }

    private static String fixture(String file) {
        try (InputStream in = ConfigMapImporterTest.class.getResourceAsStream("/legacy/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
