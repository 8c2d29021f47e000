package io.ledgerlb.allocator.k8s.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.ledgerlb.allocator.k8s.crd.BFDProfile;
import io.ledgerlb.allocator.k8s.crd.BGPAdvertisement;
import io.ledgerlb.allocator.k8s.crd.BGPPeer;
import io.ledgerlb.allocator.k8s.crd.Community;
import io.ledgerlb.allocator.k8s.crd.IPAddressPool;
import io.ledgerlb.allocator.k8s.crd.L2Advertisement;
import io.ledgerlb.events.v1.BfdProfileDefined;
import io.ledgerlb.events.v1.BgpAdvertisementDefined;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.events.v1.ConfigKind;
import io.ledgerlb.events.v1.L2AdvertisementDefined;
import io.ledgerlb.events.v1.PoolDefined;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigMapperTest {

    @Test
    void poolCarriesAddressesAsWrittenAndItsAllocationRules() {
        PoolDefined pool = ConfigMapper.pool(fixture("ipaddresspool.yaml", IPAddressPool.class));

        assertThat(pool.getName()).isEqualTo("production");
        assertThat(pool.getAddressesList()).containsExactly(
                "192.168.10.0/24", "192.168.9.1-192.168.9.5", "fc00:f853:0ccd:e799::/124");
        assertThat(pool.getAutoAssign()).isFalse();
        assertThat(pool.getAvoidBuggyIps()).isTrue();
        assertThat(pool.getLabelsMap()).containsEntry("tier", "prod");
        assertThat(pool.getServiceAllocation().getPriority()).isEqualTo(50);
        assertThat(pool.getServiceAllocation().getNamespacesList()).containsExactly("namespace-a");
        assertThat(pool.getServiceAllocation().getNamespaceSelectors(0).getMatchLabelsMap()).containsEntry("foo", "bar");
        var expression = pool.getServiceAllocation().getServiceSelectors(0).getMatchExpressions(0);
        assertThat(expression.getOperator()).isEqualTo("In");
        assertThat(expression.getValuesList()).containsExactly("serviceA", "serviceB");
    }

    @Test
    void poolDefaultsAreMetalLbs() {
        PoolDefined pool = ConfigMapper.pool(parse(IPAddressPool.class, """
                apiVersion: metallb.io/v1beta1
                kind: IPAddressPool
                metadata: {name: plain, namespace: metallb-system}
                spec: {addresses: [10.0.0.0/30]}
                """));

        assertThat(pool.getAutoAssign()).isTrue();
        assertThat(pool.getAvoidBuggyIps()).isFalse();
        assertThat(pool.hasServiceAllocation()).isFalse();
    }

    @Test
    void poolWithoutAddressesOrWithABadSelectorIsRefusedWithEveryProblem() {
        InvalidConfigException error = catchThrowableOfType(InvalidConfigException.class, () -> ConfigMapper.pool(
                parse(IPAddressPool.class, """
                        apiVersion: metallb.io/v1beta1
                        kind: IPAddressPool
                        metadata: {name: empty, namespace: metallb-system}
                        spec:
                          addresses: []
                          serviceAllocation:
                            priority: -1
                            serviceSelectors:
                            - matchExpressions: [{key: app, operator: Equals, values: [x]}]
                        """)));

        assertThat(error.object()).isEqualTo("IPAddressPool metallb-system/empty");
        assertThat(error.problems()).containsExactly(
                "spec.addresses: must list at least one CIDR or range",
                "spec.serviceAllocation.priority: must not be negative",
                "spec.serviceAllocation.serviceSelectors[0].matchExpressions[0].operator: "
                        + "must be In, NotIn, Exists or DoesNotExist, not \"Equals\"");
        assertThat(error.getMessage()).startsWith("IPAddressPool metallb-system/empty: spec.addresses: must list");
    }

    @Test
    void poolWithoutSpecIsRefused() {
        assertThatThrownBy(() -> ConfigMapper.pool(parse(IPAddressPool.class, """
                apiVersion: metallb.io/v1beta1
                kind: IPAddressPool
                metadata: {name: nospec}
                """))).isInstanceOf(InvalidConfigException.class).hasMessage("IPAddressPool nospec: spec: required");
    }

    @Test
    void advertisementsCarryTheirServiceSelectors() {
        L2AdvertisementDefined l2 = ConfigMapper.l2Advertisement(parse(L2Advertisement.class, """
                apiVersion: metallb.io/v1beta1
                kind: L2Advertisement
                metadata: {name: frontends, namespace: metallb-system}
                spec:
                  serviceSelectors:
                  - matchLabels: {tier: frontend}
                  - matchExpressions: [{key: app, operator: In, values: [shop]}]
                """));
        assertThat(l2.getServiceSelectorsList()).hasSize(2);
        assertThat(l2.getServiceSelectors(0).getMatchLabelsMap()).containsEntry("tier", "frontend");
        assertThat(l2.getServiceSelectors(1).getMatchExpressions(0).getValuesList()).containsExactly("shop");

        BgpAdvertisementDefined bgp = ConfigMapper.bgpAdvertisement(parse(BGPAdvertisement.class, """
                apiVersion: metallb.io/v1beta1
                kind: BGPAdvertisement
                metadata: {name: frontends, namespace: metallb-system}
                spec:
                  aggregationLength: 32
                  serviceSelectors:
                  - matchLabels: {tier: frontend}
                """), List.of());
        assertThat(bgp.getServiceSelectors(0).getMatchLabelsMap()).containsEntry("tier", "frontend");
    }

    /** MetalLB refuses this at its API server (a CEL rule); a cluster without MetalLB's CRDs gets it here. */
    @Test
    void serviceSelectorsWithAnAggregatedRouteAreRefused() {
        InvalidConfigException error = catchThrowableOfType(InvalidConfigException.class, () -> ConfigMapper.bgpAdvertisement(
                parse(BGPAdvertisement.class, """
                        apiVersion: metallb.io/v1beta1
                        kind: BGPAdvertisement
                        metadata: {name: wide, namespace: metallb-system}
                        spec:
                          aggregationLength: 24
                          serviceSelectors:
                          - matchLabels: {tier: frontend}
                        """), List.of()));
        assertThat(error.problems()).containsExactly("spec.serviceSelectors: serviceSelectors and aggregationLength are "
                + "mutually exclusive, can only be used together with default aggregationLength (32) and "
                + "aggregationLengthV6 (128)");
    }

    @Test
    void l2AdvertisementCarriesPoolsSelectorsAndInterfaces() {
        L2AdvertisementDefined l2 = ConfigMapper.l2Advertisement(fixture("l2advertisement.yaml", L2Advertisement.class));

        assertThat(l2.getName()).isEqualTo("example");
        assertThat(l2.getIpAddressPoolsList()).containsExactly("first-pool");
        assertThat(l2.getIpAddressPoolSelectors(0).getMatchLabelsMap()).containsEntry("tier", "prod");
        assertThat(l2.getNodeSelectors(0).getMatchLabelsMap()).containsEntry("kubernetes.io/hostname", "node-a");
        assertThat(l2.getInterfacesList()).containsExactly("eth0");
    }

    @Test
    void emptyL2AdvertisementMeansEverything() {
        L2AdvertisementDefined l2 = ConfigMapper.l2Advertisement(parse(L2Advertisement.class, """
                apiVersion: metallb.io/v1beta1
                kind: L2Advertisement
                metadata: {name: all}
                """));

        assertThat(l2.getIpAddressPoolsCount() + l2.getIpAddressPoolSelectorsCount() + l2.getNodeSelectorsCount())
                .isZero();
    }

    @Test
    void bgpAdvertisementResolvesCommunityAliasesAndSplitsLargeOnes() {
        BgpAdvertisementDefined bgp = ConfigMapper.bgpAdvertisement(
                fixture("bgpadvertisement.yaml", BGPAdvertisement.class),
                List.of(fixture("community.yaml", Community.class)));

        assertThat(bgp.getCommunitiesList()).containsExactly("65535:65281", "65535:65282");
        assertThat(bgp.getLargeCommunitiesList()).containsExactly("64512:1:2");
        assertThat(bgp.getAggregationLength()).isEqualTo(32);
        assertThat(bgp.getAggregationLengthV6()).isEqualTo(128);
        assertThat(bgp.getLocalPref()).isEqualTo(100);
        assertThat(bgp.getIpAddressPoolsList()).containsExactly("bgp-pool");
        assertThat(bgp.getPeersList()).containsExactly("peer-a");
        assertThat(bgp.getNodeSelectors(0).getMatchLabelsMap()).containsEntry("rack", "r1");
    }

    @Test
    void bgpAdvertisementDefaultsAggregationLengths() {
        BgpAdvertisementDefined bgp = ConfigMapper.bgpAdvertisement(parse(BGPAdvertisement.class, """
                apiVersion: metallb.io/v1beta1
                kind: BGPAdvertisement
                metadata: {name: plain}
                """), List.of());

        assertThat(bgp.getAggregationLength()).isEqualTo(32);
        assertThat(bgp.getAggregationLengthV6()).isEqualTo(128);
    }

    @Test
    void bgpAdvertisementWithUnknownAliasAndBadLengthsIsRefused() {
        Community twice = parse(Community.class, """
                apiVersion: metallb.io/v1beta1
                kind: Community
                metadata: {name: other}
                spec: {communities: [{name: no-export-alias, value: "1:1"}]}
                """);
        InvalidConfigException error = catchThrowableOfType(InvalidConfigException.class, () ->
                ConfigMapper.bgpAdvertisement(parse(BGPAdvertisement.class, """
                        apiVersion: metallb.io/v1beta1
                        kind: BGPAdvertisement
                        metadata: {name: bad, namespace: metallb-system}
                        spec:
                          aggregationLength: 33
                          aggregationLengthV6: 129
                          communities: [nope, "65536:1", no-export-alias, "large:1:2"]
                        """), List.of(fixture("community.yaml", Community.class), twice)));

        assertThat(error.problems()).containsExactly(
                "spec.aggregationLength: must be between 0 and 32, not 33",
                "spec.aggregationLengthV6: must be between 0 and 128, not 129",
                "spec.communities[0]: \"nope\" is neither a community (65000:100, large:65000:1:2) "
                        + "nor an alias defined by a Community",
                "spec.communities[1]: \"65536:1\" is neither a community (65000:100, large:65000:1:2) "
                        + "nor an alias defined by a Community",
                "spec.communities[2]: alias \"no-export-alias\" is defined by more than one Community",
                "spec.communities[3]: \"large:1:2\" is neither a community (65000:100, large:65000:1:2) "
                        + "nor an alias defined by a Community");
    }

    @Test
    void bgpPeerMapsEveryFieldAndRecordsOnlyAReferenceToItsPassword() {
        BgpPeerDefined peer = ConfigMapper.bgpPeer(fixture("bgppeer.yaml", BGPPeer.class));

        assertThat(Integer.toUnsignedLong(peer.getMyAsn())).isEqualTo(4_200_000_001L);
        assertThat(peer.getPeerAsn()).isEqualTo(64501);
        assertThat(peer.getPeerAddress()).isEqualTo("10.0.0.1");
        assertThat(peer.getSourceAddress()).isEqualTo("10.0.0.2");
        assertThat(peer.getPeerPort()).isEqualTo(1179);
        assertThat(peer.getHoldTimeSeconds()).isEqualTo(90);
        assertThat(peer.getHoldTimeSet()).isTrue();
        assertThat(peer.getKeepaliveTimeSeconds()).isEqualTo(30);
        assertThat(peer.getConnectTimeSeconds()).isEqualTo(5);
        assertThat(peer.getRouterId()).isEqualTo("10.10.10.10");
        assertThat(peer.getNodeSelectors(0).getMatchLabelsMap()).containsEntry("rack", "r1");
        assertThat(peer.getBfdProfile()).isEqualTo("fast");
        assertThat(peer.getEnableGracefulRestart()).isTrue();
        assertThat(peer.getEbgpMultihop()).isTrue();
        assertThat(peer.getVrf()).isEqualTo("red");
        assertThat(peer.getBackend()).isEqualTo("gobgp");
        assertThat(peer.getPassword().getKind()).isEqualTo("Secret");
        assertThat(peer.getPassword().getNamespace()).isEqualTo("metallb-system");
        assertThat(peer.getPassword().getName()).isEqualTo("peer-a-password");
        assertThat(peer.getPassword().getKey()).isEqualTo("password");
    }

    @Test
    void holdTimeZeroDisablesTheTimerAndUnsetLeavesTheDefault() {
        BgpPeerDefined zero = ConfigMapper.bgpPeer(peer("holdTime: 0s"));
        BgpPeerDefined unset = ConfigMapper.bgpPeer(peer("peerPort: 179"));

        assertThat(zero.getHoldTimeSet()).isTrue();
        assertThat(zero.getHoldTimeSeconds()).isZero();
        assertThat(unset.getHoldTimeSet()).isFalse();
        assertThat(unset.hasPassword()).isFalse();
    }

    @Test
    void passwordSecretWithoutNamespaceLivesBesideThePeer() {
        BgpPeerDefined peer = ConfigMapper.bgpPeer(peer("passwordSecret: {name: s1}"));

        assertThat(peer.getPassword().getNamespace()).isEqualTo("metallb-system");
        assertThat(peer.getPassword().getName()).isEqualTo("s1");
    }

    @Test
    void plainTextPasswordIsRefusedAndNeverAppearsInTheError() {
        InvalidConfigException error = catchThrowableOfType(InvalidConfigException.class,
                () -> ConfigMapper.bgpPeer(peer("password: hunter2")));

        assertThat(error.problems()).singleElement().asString()
                .startsWith("spec.password: ledgerlb never records a plain-text password")
                .contains("spec.passwordSecret");
        assertThat(error.getMessage()).doesNotContain("hunter2");
    }

    @Test
    void badPeerIsRefusedWithEveryProblem() {
        InvalidConfigException error = catchThrowableOfType(InvalidConfigException.class, () ->
                ConfigMapper.bgpPeer(parse(BGPPeer.class, """
                        apiVersion: metallb.io/v1beta2
                        kind: BGPPeer
                        metadata:
                          name: bad
                          namespace: metallb-system
                          annotations: {ledgerlb.io/bgp-backend: quagga}
                        spec:
                          myASN: 0
                          peerASN: 4294967296
                          peerPort: 70000
                          holdTime: 2s
                          keepaliveTime: 10 seconds
                          connectTime: 1x
                        """)));

        assertThat(error.problems()).containsExactly(
                "spec.myASN: must be between 1 and 4294967295, not 0",
                "spec.peerASN: must be between 1 and 4294967295, not 4294967296",
                "spec.peerAddress: required",
                "spec.peerPort: must be between 1 and 65535, not 70000",
                "spec.keepaliveTime: \"10 seconds\" is not a duration (write e.g. 90s or 1m30s)",
                "spec.connectTime: \"1x\" is not a duration (write e.g. 90s or 1m30s)",
                "spec.holdTime: must be 0 (no hold timer) or at least 3s, not 2s",
                "metadata.annotations[ledgerlb.io/bgp-backend]: must be native or gobgp, not \"quagga\"");
    }

    @Test
    void peerAddressesMustBeIpAddresses() {
        InvalidConfigException error = catchThrowableOfType(InvalidConfigException.class, () -> ConfigMapper.bgpPeer(
                parse(BGPPeer.class, """
                        apiVersion: metallb.io/v1beta2
                        kind: BGPPeer
                        metadata: {name: p, namespace: metallb-system}
                        spec: {myASN: 64500, peerASN: 64501, peerAddress: router.example,
                               sourceAddress: 10.0.0.300, routerID: "2001:db8::1"}
                        """)));

        assertThat(error.problems()).containsExactly(
                "spec.peerAddress: \"router.example\" is not an IP address",
                "spec.sourceAddress: \"10.0.0.300\" is not an IP address",
                "spec.routerID: must be a non-zero IPv4 address (BGP identifier), not 2001:db8::1");
        assertThat(ConfigMapper.bgpPeer(peer("sourceAddress: fd00:99::1\n  routerID: 10.0.0.9")).getRouterId())
                .isEqualTo("10.0.0.9");
    }

    /** Fields ledgerlb does not implement are recorded, not refused: the speakers say Supported=False naming each. */
    @Test
    void unsupportedMetalLbPeerFeaturesAreRecordedAndNamed() {
        BgpPeerDefined dynamic = ConfigMapper.bgpPeer(parse(BGPPeer.class, """
                apiVersion: metallb.io/v1beta2
                kind: BGPPeer
                metadata: {name: p, namespace: metallb-system}
                spec: {myASN: 64500, dynamicASN: external, interface: eth0}
                """));

        assertThat(dynamic.getUnsupportedList()).hasSize(2);
        assertThat(dynamic.getUnsupported(0)).startsWith("spec.dynamicASN: ").contains("set spec.peerASN");
        assertThat(dynamic.getUnsupported(1)).startsWith("spec.interface: ").contains("set spec.peerAddress");
        assertThat(ConfigMapper.bgpPeer(peer("")).getUnsupportedList()).isEmpty();
    }

    /** What contradicts itself stays invalid: MetalLB's rules allow one of peerASN/dynamicASN and of peerAddress/interface. */
    @Test
    void contradictoryPeerFieldsAreInvalid() {
        InvalidConfigException error = catchThrowableOfType(InvalidConfigException.class,
                () -> ConfigMapper.bgpPeer(peer("dynamicASN: sideways\n  interface: eth0\n  disableMP: true\n  dualStackAddressFamily: true")));

        assertThat(error.problems()).containsExactly(
                "spec.dynamicASN: set either spec.peerASN or spec.dynamicASN, not both",
                "spec.dynamicASN: must be internal or external, not \"sideways\"",
                "spec.interface: set either spec.peerAddress or spec.interface, not both",
                "spec.disableMP: contradicts spec.dualStackAddressFamily: true (disableMP: each session carries its own family only)");
    }

    /** dualStackAddressFamily is recorded (MetalLB's default: false); disableMP alone asks for that default. */
    @Test
    void dualStackAddressFamilyIsRecorded() {
        assertThat(ConfigMapper.bgpPeer(peer("")).getDualStackAddressFamily()).isFalse();
        assertThat(ConfigMapper.bgpPeer(peer("dualStackAddressFamily: true")).getDualStackAddressFamily()).isTrue();
        assertThat(ConfigMapper.bgpPeer(peer("disableMP: true")).getDualStackAddressFamily()).isFalse();
    }

    /** MetalLB's localASN (local-as, replace-as): the AS the peer sees; each ledgerlb session has its own. */
    @Test
    void localAsnIsTheSessionsAs() {
        assertThat(ConfigMapper.bgpPeer(peer("localASN: 4200000001")).getMyAsn()).isEqualTo((int) 4200000001L);
        assertThat(ConfigMapper.bgpPeer(peer("dualStackAddressFamily: true")).getMyAsn()).isEqualTo(64500);
        assertThatThrownBy(() -> ConfigMapper.bgpPeer(peer("localASN: 0")))
                .hasMessageContaining("spec.localASN: must be between 1 and 4294967295, not 0");
    }

    @Test
    void ttlSecurityHopsComeFromTheirAnnotation() {
        BGPPeer peer = peer("");
        peer.getMetadata().setAnnotations(java.util.Map.of(BGPPeer.TTL_SECURITY_ANNOTATION, "1"));
        assertThat(ConfigMapper.bgpPeer(peer).getTtlSecurityHops()).isEqualTo(1);
        peer.getMetadata().setAnnotations(java.util.Map.of(BGPPeer.TTL_SECURITY_ANNOTATION, "255"));
        assertThatThrownBy(() -> ConfigMapper.bgpPeer(peer)).hasMessageContaining(
                "metadata.annotations[ledgerlb.io/bgp-ttl-security-hops]: must be a number of hops from 1 to 254, not \"255\"");
    }

    @Test
    void keepaliveLongerThanHoldTimeIsRefused() {
        assertThatThrownBy(() -> ConfigMapper.bgpPeer(peer("holdTime: 9s\n  keepaliveTime: 10s")))
                .hasMessageContaining("spec.keepaliveTime: must not exceed spec.holdTime");
    }

    @Test
    void communityAliasesAreCheckedAndKept() {
        var community = ConfigMapper.community(fixture("community.yaml", Community.class));
        assertThat(community.getAliasesList()).extracting(a -> a.getName() + "=" + a.getValue())
                .containsExactly("no-export-alias=65535:65281", "big=large:64512:7:8");

        assertThatThrownBy(() -> ConfigMapper.community(parse(Community.class, """
                apiVersion: metallb.io/v1beta1
                kind: Community
                metadata: {name: c}
                spec: {communities: [{name: a, value: "1:2"}, {name: a, value: "1:2:3"}]}
                """))).hasMessage("Community c: spec.communities[1].name: \"a\" is defined twice; "
                + "spec.communities[1].value: \"1:2:3\" is not a community (65000:100 or large:65000:1:2)");
    }

    @Test
    void bfdProfileValuesAndMetalLbDefaults() {
        BfdProfileDefined fast = ConfigMapper.bfdProfile(fixture("bfdprofile.yaml", BFDProfile.class));
        assertThat(fast.getReceiveIntervalMs()).isEqualTo(100);
        assertThat(fast.getDetectMultiplier()).isEqualTo(5);
        assertThat(fast.getEchoMode()).isTrue();
        assertThat(fast.getMinimumTtl()).isEqualTo(250);

        BfdProfileDefined defaults = ConfigMapper.bfdProfile(parse(BFDProfile.class, """
                apiVersion: metallb.io/v1beta1
                kind: BFDProfile
                metadata: {name: d}
                """));
        assertThat(List.of(defaults.getReceiveIntervalMs(), defaults.getTransmitIntervalMs(),
                defaults.getDetectMultiplier(), defaults.getEchoIntervalMs(), defaults.getMinimumTtl()))
                .containsExactly(300, 300, 3, 50, 254);

        assertThatThrownBy(() -> ConfigMapper.bfdProfile(parse(BFDProfile.class, """
                apiVersion: metallb.io/v1beta1
                kind: BFDProfile
                metadata: {name: d}
                spec: {detectMultiplier: 1}
                """))).hasMessage("BFDProfile d: spec.detectMultiplier: must be between 2 and 255, not 1");
        // an interval of 0 would mean "send nothing" (RFC 5880 §6.8.1): refused with MetalLB's range
        assertThatThrownBy(() -> ConfigMapper.bfdProfile(parse(BFDProfile.class, """
                apiVersion: metallb.io/v1beta1
                kind: BFDProfile
                metadata: {name: z}
                spec: {receiveInterval: 0, transmitInterval: 60001}
                """))).hasMessage("BFDProfile z: spec.receiveInterval: must be between 10 and 60000, not 0; "
                + "spec.transmitInterval: must be between 10 and 60000, not 60001");
    }

    @Test
    void removalNamesTheKind() {
        assertThat(ConfigMapper.removed(fixture("bgppeer.yaml", BGPPeer.class)).getKind()).isEqualTo(ConfigKind.BGP_PEER);
        assertThat(ConfigMapper.removed(fixture("ipaddresspool.yaml", IPAddressPool.class)).getName())
                .isEqualTo("production");
    }

    private static BGPPeer peer(String extraSpecLine) {
        return parse(BGPPeer.class, """
                apiVersion: metallb.io/v1beta2
                kind: BGPPeer
                metadata: {name: p, namespace: metallb-system}
                spec:
                  myASN: 64500
                  peerASN: 64501
                  peerAddress: 10.0.0.1
                  %s
                """.formatted(extraSpecLine));
    }

    private static <T extends HasMetadata> T parse(Class<T> type, String yaml) {
        return Serialization.unmarshal(yaml, type);
    }

    private static <T extends HasMetadata> T fixture(String file, Class<T> type) {
        try (InputStream in = ConfigMapperTest.class.getResourceAsStream("/metallb/" + file)) {
            return parse(type, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
