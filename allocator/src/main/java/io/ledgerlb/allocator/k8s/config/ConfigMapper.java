package io.ledgerlb.allocator.k8s.config;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.SecretReference;
import io.ledgerlb.allocator.k8s.crd.BFDProfile;
import io.ledgerlb.allocator.k8s.crd.BFDProfileSpec;
import io.ledgerlb.allocator.k8s.crd.BGPAdvertisement;
import io.ledgerlb.allocator.k8s.crd.BGPAdvertisementSpec;
import io.ledgerlb.allocator.k8s.crd.BGPPeer;
import io.ledgerlb.allocator.k8s.crd.BGPPeerSpec;
import io.ledgerlb.allocator.k8s.crd.Community;
import io.ledgerlb.allocator.k8s.crd.CommunitySpec.CommunityAlias;
import io.ledgerlb.allocator.k8s.crd.IPAddressPool;
import io.ledgerlb.allocator.k8s.crd.IPAddressPoolSpec;
import io.ledgerlb.allocator.k8s.crd.L2Advertisement;
import io.ledgerlb.allocator.k8s.crd.L2AdvertisementSpec;
import io.ledgerlb.allocator.k8s.crd.ServiceAllocation;
import io.ledgerlb.events.v1.BfdProfileDefined;
import io.ledgerlb.events.v1.BgpAdvertisementDefined;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.events.v1.CommunityDefined;
import io.ledgerlb.events.v1.ConfigKind;
import io.ledgerlb.events.v1.ConfigRemoved;
import io.ledgerlb.events.v1.L2AdvertisementDefined;
import io.ledgerlb.events.v1.LabelSelector;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.events.v1.SecretRef;
import io.ledgerlb.net.InvalidAddressException;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpFamily;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * MetalLB's custom resources → the ledger's config events, with MetalLB's defaults applied and
 * every problem reported at once as an {@link InvalidConfigException}. Pure: no I/O, no state.
 * The event bodies carry no {@code Cause}: the controller adds it.
 */
public final class ConfigMapper {
    /** The Secret key MetalLB reads a BGP password from ({@code kubernetes.io/basic-auth}). */
    public static final String PASSWORD_KEY = "password";
    static final int DEFAULT_AGGREGATION_LENGTH = 32;
    static final int DEFAULT_AGGREGATION_LENGTH_V6 = 128;
    static final Duration MIN_HOLD_TIME = Duration.ofSeconds(3);
    private static final long MAX_ASN = 0xFFFF_FFFFL;
    private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");
    private static final Set<String> BACKENDS = Set.of("native", "gobgp");
    private static final Set<String> DYNAMIC_ASN = Set.of("internal", "external");

    private ConfigMapper() {
    }

    public static PoolDefined pool(IPAddressPool pool) {
        Problems problems = new Problems(pool);
        IPAddressPoolSpec spec = pool.getSpec();
        PoolDefined.Builder event = PoolDefined.newBuilder().setName(pool.getMetadata().getName());
        if (spec == null) {
            problems.add("spec", "required");
            problems.throwIfAny();
        }
        List<String> addresses = orEmpty(spec.addresses());
        problems.check(!addresses.isEmpty(), "spec.addresses", "must list at least one CIDR or range");
        for (int i = 0; i < addresses.size(); i++) {
            String address = addresses.get(i);
            problems.check(address != null && !address.isBlank(), "spec.addresses[" + i + "]", "is empty");
            if (address != null) {
                event.addAddresses(address.strip());
            }
        }
        event.setAutoAssign(spec.autoAssign() == null || spec.autoAssign())
                .setAvoidBuggyIps(Boolean.TRUE.equals(spec.avoidBuggyIPs()))
                .putAllLabels(orEmpty(pool.getMetadata().getLabels()));
        ServiceAllocation allocation = spec.serviceAllocation();
        if (allocation != null) {
            Integer priority = allocation.priority();
            problems.check(priority == null || priority >= 0, "spec.serviceAllocation.priority", "must not be negative");
            var out = event.getServiceAllocationBuilder()
                    .setPriority(priority == null ? 0 : priority)
                    .addAllNamespaces(orEmpty(allocation.namespaces()));
            selectors(allocation.namespaceSelectors(), "spec.serviceAllocation.namespaceSelectors", problems,
                    out::addNamespaceSelectors);
            selectors(allocation.serviceSelectors(), "spec.serviceAllocation.serviceSelectors", problems,
                    out::addServiceSelectors);
        }
        problems.throwIfAny();
        return event.build();
    }

    public static L2AdvertisementDefined l2Advertisement(L2Advertisement advertisement) {
        Problems problems = new Problems(advertisement);
        L2AdvertisementSpec spec = orDefault(advertisement.getSpec(), new L2AdvertisementSpec(null, null, null, null, null));
        L2AdvertisementDefined.Builder event = L2AdvertisementDefined.newBuilder()
                .setName(advertisement.getMetadata().getName())
                .addAllIpAddressPools(orEmpty(spec.ipAddressPools()))
                .addAllInterfaces(orEmpty(spec.interfaces()));
        selectors(spec.ipAddressPoolSelectors(), "spec.ipAddressPoolSelectors", problems, event::addIpAddressPoolSelectors);
        selectors(spec.nodeSelectors(), "spec.nodeSelectors", problems, event::addNodeSelectors);
        selectors(spec.serviceSelectors(), "spec.serviceSelectors", problems, event::addServiceSelectors);
        problems.throwIfAny();
        return event.build();
    }

    /** @param communities every Community object, for the aliases the advertisement names */
    public static BgpAdvertisementDefined bgpAdvertisement(BGPAdvertisement advertisement,
                                                           Collection<Community> communities) {
        return bgpAdvertisement(advertisement, BgpCommunities.of(communities));
    }

    /** @param communities the Communities as the ledger holds them, for the aliases the advertisement names */
    public static BgpAdvertisementDefined bgpAdvertisementFromLedger(BGPAdvertisement advertisement,
                                                                     Collection<CommunityDefined> communities) {
        return bgpAdvertisement(advertisement, BgpCommunities.ofDefined(communities));
    }

    private static BgpAdvertisementDefined bgpAdvertisement(BGPAdvertisement advertisement, BgpCommunities known) {
        Problems problems = new Problems(advertisement);
        BGPAdvertisementSpec spec = orDefault(advertisement.getSpec(),
                new BGPAdvertisementSpec(null, null, null, null, null, null, null, null, null));
        int length = orDefault(spec.aggregationLength(), DEFAULT_AGGREGATION_LENGTH);
        int lengthV6 = orDefault(spec.aggregationLengthV6(), DEFAULT_AGGREGATION_LENGTH_V6);
        problems.check(length >= 0 && length <= 32, "spec.aggregationLength", "must be between 0 and 32, not " + length);
        problems.check(lengthV6 >= 0 && lengthV6 <= 128, "spec.aggregationLengthV6",
                "must be between 0 and 128, not " + lengthV6);
        long localPref = orDefault(spec.localPref(), 0L);
        problems.check(localPref >= 0 && localPref <= MAX_ASN, "spec.localPref", "must fit in 32 bits, not " + localPref);
        BgpAdvertisementDefined.Builder event = BgpAdvertisementDefined.newBuilder()
                .setName(advertisement.getMetadata().getName())
                .setAggregationLength(length)
                .setAggregationLengthV6(lengthV6)
                .setLocalPref((int) localPref)
                .addAllIpAddressPools(orEmpty(spec.ipAddressPools()))
                .addAllPeers(orEmpty(spec.peers()));
        List<String> written = orEmpty(spec.communities());
        for (int i = 0; i < written.size(); i++) {
            try {
                BgpCommunities.Value value = known.resolve(written.get(i));
                if (value.large()) {
                    event.addLargeCommunities(value.text());
                } else {
                    event.addCommunities(value.text());
                }
            } catch (IllegalArgumentException e) {
                problems.add("spec.communities[" + i + "]", e.getMessage());
            }
        }
        selectors(spec.ipAddressPoolSelectors(), "spec.ipAddressPoolSelectors", problems, event::addIpAddressPoolSelectors);
        selectors(spec.nodeSelectors(), "spec.nodeSelectors", problems, event::addNodeSelectors);
        selectors(spec.serviceSelectors(), "spec.serviceSelectors", problems, event::addServiceSelectors);
        // MetalLB's API server refuses this too (CEL rule on the spec): an aggregated route would
        // carry the IPs of Services the selectors leave out
        problems.check(orEmpty(spec.serviceSelectors()).isEmpty()
                        || (length == DEFAULT_AGGREGATION_LENGTH && lengthV6 == DEFAULT_AGGREGATION_LENGTH_V6),
                "spec.serviceSelectors", "serviceSelectors and aggregationLength are mutually exclusive, "
                        + "can only be used together with default aggregationLength (32) and aggregationLengthV6 (128)");
        problems.throwIfAny();
        return event.build();
    }

    /**
     * The peer, its password as a reference only. {@code password.resource_version} is left empty:
     * the adapter that reads the Secret may fill it in.
     */
    public static BgpPeerDefined bgpPeer(BGPPeer peer) {
        Problems problems = new Problems(peer);
        BGPPeerSpec spec = peer.getSpec();
        if (spec == null) {
            problems.add("spec", "required");
            problems.throwIfAny();
        }
        BgpPeerDefined.Builder event = BgpPeerDefined.newBuilder().setName(peer.getMetadata().getName());
        asn(spec.myASN(), "spec.myASN", problems).ifPresent(event::setMyAsn);
        if (spec.localASN() != null) {
            // each ledgerlb session has its own AS: MetalLB's local-as with replace-as is that AS
            asn(spec.localASN(), "spec.localASN", problems).ifPresent(event::setMyAsn);
        }
        // fields ledgerlb does not implement: recorded, and said by the speakers (Supported=False, no session)
        if (spec.dynamicASN() != null) {
            problems.check(spec.peerASN() == null, "spec.dynamicASN", "set either spec.peerASN or spec.dynamicASN, not both");
            problems.check(DYNAMIC_ASN.contains(spec.dynamicASN()), "spec.dynamicASN",
                    "must be internal or external, not \"" + spec.dynamicASN() + "\"");
            event.addUnsupported("spec.dynamicASN: a peer AS learned from the peer's OPEN is not implemented by ledgerlb;"
                    + " set spec.peerASN instead");
        } else {
            asn(spec.peerASN(), "spec.peerASN", problems).ifPresent(event::setPeerAsn);
        }
        if (spec.iface() != null) {
            problems.check(spec.peerAddress() == null || spec.peerAddress().isBlank(), "spec.interface",
                    "set either spec.peerAddress or spec.interface, not both");
            event.addUnsupported("spec.interface: BGP unnumbered (peering over an interface's IPv6 link-local address)"
                    + " is not implemented by ledgerlb; set spec.peerAddress instead");
        } else {
            problems.check(spec.peerAddress() != null && !spec.peerAddress().isBlank(), "spec.peerAddress", "required");
        }
        ipAddress(spec.peerAddress(), "spec.peerAddress", problems);
        ipAddress(spec.sourceAddress(), "spec.sourceAddress", problems);
        IpAddress routerId = ipAddress(spec.routerID(), "spec.routerID", problems);
        problems.check(routerId == null || (routerId.family() == IpFamily.V4 && routerId.lo() != 0), "spec.routerID",
                "must be a non-zero IPv4 address (BGP identifier), not " + spec.routerID());
        event.setPeerAddress(orDefault(spec.peerAddress(), "").strip())
                .setSourceAddress(orDefault(spec.sourceAddress(), ""))
                .setRouterId(orDefault(spec.routerID(), ""))
                .setEbgpMultihop(Boolean.TRUE.equals(spec.ebgpMultiHop()))
                .setEnableGracefulRestart(Boolean.TRUE.equals(spec.enableGracefulRestart()))
                .setBfdProfile(orDefault(spec.bfdProfile(), ""))
                .setVrf(orDefault(spec.vrf(), ""));
        if (spec.peerPort() != null) {
            problems.check(spec.peerPort() >= 1 && spec.peerPort() <= 65535, "spec.peerPort",
                    "must be between 1 and 65535, not " + spec.peerPort());
            event.setPeerPort(spec.peerPort());
        }
        // disableMP (deprecated in MetalLB) asks for what dualStackAddressFamily: false does: one family per session
        boolean dualStack = Boolean.TRUE.equals(spec.dualStackAddressFamily());
        problems.check(!(dualStack && Boolean.TRUE.equals(spec.disableMP())), "spec.disableMP",
                "contradicts spec.dualStackAddressFamily: true (disableMP: each session carries its own family only)");
        event.setDualStackAddressFamily(dualStack);
        Duration hold = duration(spec.holdTime(), "spec.holdTime", problems);
        Duration keepalive = duration(spec.keepaliveTime(), "spec.keepaliveTime", problems);
        Duration connect = duration(spec.connectTime(), "spec.connectTime", problems);
        if (hold != null) {
            problems.check(hold.isZero() || hold.compareTo(MIN_HOLD_TIME) >= 0, "spec.holdTime",
                    "must be 0 (no hold timer) or at least 3s, not " + spec.holdTime());
            event.setHoldTimeSeconds((int) hold.toSeconds()).setHoldTimeSet(true);
        }
        if (keepalive != null) {
            problems.check(hold == null || keepalive.compareTo(hold) <= 0, "spec.keepaliveTime",
                    "must not exceed spec.holdTime");
            event.setKeepaliveTimeSeconds((int) keepalive.toSeconds());
        }
        if (connect != null) {
            event.setConnectTimeSeconds((int) connect.toSeconds());
        }
        password(peer, spec, problems).ifPresent(event::setPassword);
        String backend = orEmpty(peer.getMetadata().getAnnotations()).get(BGPPeer.BACKEND_ANNOTATION);
        if (backend != null) {
            problems.check(BACKENDS.contains(backend), "metadata.annotations[" + BGPPeer.BACKEND_ANNOTATION + "]",
                    "must be native or gobgp, not \"" + backend + "\"");
            event.setBackend(backend);
        }
        String hops = orEmpty(peer.getMetadata().getAnnotations()).get(BGPPeer.TTL_SECURITY_ANNOTATION);
        if (hops != null) {
            String field = "metadata.annotations[" + BGPPeer.TTL_SECURITY_ANNOTATION + "]";
            Integer n = hops.strip().matches("[0-9]{1,3}") ? Integer.valueOf(hops.strip()) : null;
            problems.check(n != null && n >= 1 && n <= 254, field, "must be a number of hops from 1 to 254, not \"" + hops + "\"");
            if (n != null) {
                event.setTtlSecurityHops(n);
            }
        }
        selectors(spec.nodeSelectors(), "spec.nodeSelectors", problems, event::addNodeSelectors);
        problems.throwIfAny();
        return event.build();
    }

    public static CommunityDefined community(Community community) {
        Problems problems = new Problems(community);
        CommunityDefined.Builder event = CommunityDefined.newBuilder().setName(community.getMetadata().getName());
        List<CommunityAlias> aliases = community.getSpec() == null ? List.of() : orEmpty(community.getSpec().communities());
        Set<String> names = new HashSet<>();
        for (int i = 0; i < aliases.size(); i++) {
            CommunityAlias alias = aliases.get(i);
            String field = "spec.communities[" + i + "]";
            problems.check(alias.name() != null && !alias.name().isBlank(), field + ".name", "required");
            problems.check(alias.name() == null || names.add(alias.name()), field + ".name",
                    "\"" + alias.name() + "\" is defined twice");
            problems.check(BgpCommunities.parse(alias.value()).isPresent(), field + ".value",
                    "\"" + alias.value() + "\" is not a community (65000:100 or large:65000:1:2)");
            event.addAliasesBuilder().setName(orDefault(alias.name(), "")).setValue(orDefault(alias.value(), ""));
        }
        problems.throwIfAny();
        return event.build();
    }

    /** MetalLB's defaults: 300 ms intervals, multiplier 3, echo 50 ms, minimum TTL 254. */
    public static BfdProfileDefined bfdProfile(BFDProfile profile) {
        Problems problems = new Problems(profile);
        BFDProfileSpec spec = orDefault(profile.getSpec(), new BFDProfileSpec(null, null, null, null, null, null, null));
        BfdProfileDefined event = BfdProfileDefined.newBuilder()
                .setName(profile.getMetadata().getName())
                .setReceiveIntervalMs(inRange(spec.receiveInterval(), 300, 10, 60000, "spec.receiveInterval", problems))
                .setTransmitIntervalMs(inRange(spec.transmitInterval(), 300, 10, 60000, "spec.transmitInterval", problems))
                .setDetectMultiplier(inRange(spec.detectMultiplier(), 3, 2, 255, "spec.detectMultiplier", problems))
                .setEchoIntervalMs(inRange(spec.echoInterval(), 50, 10, 60000, "spec.echoInterval", problems))
                .setEchoMode(Boolean.TRUE.equals(spec.echoMode()))
                .setPassiveMode(Boolean.TRUE.equals(spec.passiveMode()))
                .setMinimumTtl(inRange(spec.minimumTtl(), 254, 1, 254, "spec.minimumTtl", problems))
                .build();
        problems.throwIfAny();
        return event;
    }

    /** The event for a deleted MetalLB object. */
    public static ConfigRemoved removed(HasMetadata resource) {
        ConfigKind kind = switch (resource.getKind()) {
            case "IPAddressPool" -> ConfigKind.POOL;
            case "L2Advertisement" -> ConfigKind.L2_ADVERTISEMENT;
            case "BGPAdvertisement" -> ConfigKind.BGP_ADVERTISEMENT;
            case "BGPPeer" -> ConfigKind.BGP_PEER;
            case "Community" -> ConfigKind.COMMUNITY;
            case "BFDProfile" -> ConfigKind.BFD_PROFILE;
            default -> throw new IllegalArgumentException("not a MetalLB config kind: " + resource.getKind());
        };
        return ConfigRemoved.newBuilder().setKind(kind).setName(resource.getMetadata().getName()).build();
    }

    /** The literal address of an optional field, or null when absent or (a problem then named) not an address. */
    private static IpAddress ipAddress(String text, String field, Problems problems) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return IpAddress.parse(text.strip());
        } catch (InvalidAddressException e) {
            problems.add(field, "\"" + text + "\" is not an IP address");
            return null;
        }
    }

    private static Optional<SecretRef> password(BGPPeer peer, BGPPeerSpec spec, Problems problems) {
        if (spec.password() != null && !spec.password().isEmpty()) {
            problems.add("spec.password", "ledgerlb never records a plain-text password; put it under the key \""
                    + PASSWORD_KEY + "\" of a Secret of type kubernetes.io/basic-auth and set spec.passwordSecret");
            return Optional.empty();
        }
        SecretReference secret = spec.passwordSecret();
        if (secret == null) {
            return Optional.empty();
        }
        problems.check(secret.getName() != null && !secret.getName().isBlank(), "spec.passwordSecret.name", "required");
        String namespace = secret.getNamespace() == null || secret.getNamespace().isBlank()
                ? orDefault(peer.getMetadata().getNamespace(), "") : secret.getNamespace();
        return Optional.of(SecretRef.newBuilder().setKind("Secret").setNamespace(namespace)
                .setName(orDefault(secret.getName(), "")).setKey(PASSWORD_KEY).build());
    }

    private static Optional<Integer> asn(Long asn, String field, Problems problems) {
        if (asn == null) {
            problems.add(field, "required");
            return Optional.empty();
        }
        if (asn < 1 || asn > MAX_ASN) {
            problems.add(field, "must be between 1 and 4294967295, not " + asn);
            return Optional.empty();
        }
        return Optional.of((int) (long) asn);  // uint32 in the event: same bits
    }

    private static Duration duration(String text, String field, Problems problems) {
        if (text == null) {
            return null;
        }
        try {
            Duration duration = GoDuration.parse(text.strip());
            problems.check(duration.toSeconds() <= 65535, field, "must be at most 65535s, not " + text);
            return duration;
        } catch (IllegalArgumentException e) {
            problems.add(field, e.getMessage());
            return null;
        }
    }

    private static int inRange(Integer value, int byDefault, int min, int max, String field, Problems problems) {
        int actual = orDefault(value, byDefault);
        problems.check(actual >= min && actual <= max, field,
                "must be between " + min + " and " + max + ", not " + actual);
        return actual;
    }

    private static void selectors(List<io.fabric8.kubernetes.api.model.LabelSelector> selectors, String field,
                                  Problems problems, Consumer<LabelSelector> add) {
        List<io.fabric8.kubernetes.api.model.LabelSelector> all = orEmpty(selectors);
        for (int i = 0; i < all.size(); i++) {
            add.accept(selector(all.get(i), field + "[" + i + "]", problems));
        }
    }

    /** A Kubernetes label selector, checked as the API server would. */
    static LabelSelector selector(io.fabric8.kubernetes.api.model.LabelSelector selector, String field,
                                  Problems problems) {
        LabelSelector.Builder out = LabelSelector.newBuilder().putAllMatchLabels(orEmpty(selector.getMatchLabels()));
        List<LabelSelectorRequirement> expressions = orEmpty(selector.getMatchExpressions());
        for (int i = 0; i < expressions.size(); i++) {
            LabelSelectorRequirement requirement = expressions.get(i);
            String at = field + ".matchExpressions[" + i + "]";
            String operator = requirement.getOperator();
            List<String> values = orEmpty(requirement.getValues());
            problems.check(requirement.getKey() != null && !requirement.getKey().isBlank(), at + ".key", "required");
            if (!OPERATORS.contains(operator)) {
                problems.add(at + ".operator", "must be In, NotIn, Exists or DoesNotExist, not \"" + operator + "\"");
            } else if (operator.equals("In") || operator.equals("NotIn")) {
                problems.check(!values.isEmpty(), at + ".values", "must not be empty for operator " + operator);
            } else {
                problems.check(values.isEmpty(), at + ".values", "must be empty for operator " + operator);
            }
            out.addMatchExpressionsBuilder().setKey(orDefault(requirement.getKey(), ""))
                    .setOperator(orDefault(operator, "")).addAllValues(values);
        }
        return out.build();
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
        return map == null ? Map.of() : map;
    }

    private static <T> T orDefault(T value, T byDefault) {
        return value == null ? byDefault : value;
    }
}
