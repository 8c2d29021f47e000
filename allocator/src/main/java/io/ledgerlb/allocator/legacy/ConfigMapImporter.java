package io.ledgerlb.allocator.legacy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecretReference;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.ledgerlb.allocator.k8s.config.ConfigMapper;
import io.ledgerlb.allocator.k8s.config.InvalidConfigException;
import io.ledgerlb.allocator.k8s.crd.BFDProfile;
import io.ledgerlb.allocator.k8s.crd.BFDProfileSpec;
import io.ledgerlb.allocator.k8s.crd.BGPAdvertisement;
import io.ledgerlb.allocator.k8s.crd.BGPAdvertisementSpec;
import io.ledgerlb.allocator.k8s.crd.BGPPeer;
import io.ledgerlb.allocator.k8s.crd.BGPPeerSpec;
import io.ledgerlb.allocator.k8s.crd.Community;
import io.ledgerlb.allocator.k8s.crd.CommunitySpec;
import io.ledgerlb.allocator.k8s.crd.CommunitySpec.CommunityAlias;
import io.ledgerlb.allocator.k8s.crd.IPAddressPool;
import io.ledgerlb.allocator.k8s.crd.IPAddressPoolSpec;
import io.ledgerlb.allocator.k8s.crd.L2Advertisement;
import io.ledgerlb.allocator.k8s.crd.L2AdvertisementSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * MetalLB's pre-0.13 ConfigMap → the CRDs that replaced it: per pool an IPAddressPool and an
 * L2Advertisement ({@code protocol: layer2}) or BGPAdvertisements ({@code protocol: bgp}), a
 * BGPPeer per peer, one Community for {@code bgp-communities}, a BFDProfile per
 * {@code bfd-profiles} entry. A peer's {@code password} becomes a {@code kubernetes.io/basic-auth}
 * Secret that the BGPPeer references: ledgerlb records no plain-text password.
 *
 * <p>Every object is also checked the way the allocator will check it, so what imports also loads.
 */
public final class ConfigMapImporter {
    public static final String DEFAULT_NAMESPACE = "metallb-system";
    static final String COMMUNITY_NAME = "bgp-communities";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> TOP_KEYS = Set.of("peers", "bgp-communities", "address-pools", "bfd-profiles");
    private static final Set<String> POOL_KEYS = Set.of(
            "name", "protocol", "addresses", "auto-assign", "avoid-buggy-ips", "bgp-advertisements");
    private static final Set<String> ADVERTISEMENT_KEYS = Set.of(
            "aggregation-length", "aggregation-length-v6", "localpref", "communities");
    private static final Set<String> PEER_KEYS = Set.of("my-asn", "peer-asn", "peer-address", "peer-port",
            "hold-time", "keepalive-time", "router-id", "source-address", "node-selectors", "password",
            "ebgp-multihop", "bfd-profile");
    private static final Set<String> SELECTOR_KEYS = Set.of("match-labels", "match-expressions");
    private static final Set<String> EXPRESSION_KEYS = Set.of("key", "operator", "values");
    private static final Set<String> BFD_KEYS = Set.of("name", "receive-interval", "transmit-interval",
            "detect-multiplier", "echo-interval", "echo-mode", "passive-mode", "minimum-ttl");
    private static final long MAX_ASN = 0xFFFF_FFFFL;

    private ConfigMapImporter() {
    }

    /**
     * @param yaml the ConfigMap manifest (its {@code data.config} is imported, into its namespace) or
     *             the bare config (into {@value #DEFAULT_NAMESPACE})
     * @return the objects to apply, Secrets first
     * @throws ConfigMapImportException naming the offending key
     */
    public static List<HasMetadata> importConfigMap(String yaml) {
        JsonNode root = parse(yaml, "");
        String namespace = DEFAULT_NAMESPACE;
        if (root.path("kind").asText().equals("ConfigMap")) {
            namespace = root.path("metadata").path("namespace").asText(DEFAULT_NAMESPACE);
            JsonNode config = root.path("data").path("config");
            if (!config.isTextual()) {
                throw new ConfigMapImportException("data.config", "required: the ConfigMap has no config key");
            }
            root = parse(config.asText(), "data.config");
        }
        return new Import(namespace).run(new LegacyNode(root, ""));
    }

    /** The objects as one multi-document YAML stream, ready for {@code kubectl apply -f -}. */
    public static String toYaml(List<HasMetadata> objects) {
        return objects.stream().map(Serialization::asYaml)
                .map(doc -> doc.startsWith("---") ? doc : "---\n" + doc)
                .collect(Collectors.joining());
    }

    public static String importToYaml(String yaml) {
        return toYaml(importConfigMap(yaml));
    }

    private static JsonNode parse(String yaml, String key) {
        try {
            JsonNode root = YAML.readTree(yaml);
            if (root == null || !root.isObject()) {
                throw new ConfigMapImportException(key, "must be a YAML mapping");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new ConfigMapImportException(key, "not valid YAML: " + e.getOriginalMessage());
        }
    }

    /** An imported object and the config key it came from. */
    private record Source(HasMetadata resource, String key) {
    }

    /** One import: the objects made so far and the config key each came from. */
    private static final class Import {
        private final String namespace;
        private final List<HasMetadata> objects = new ArrayList<>();
        private final List<Source> sources = new ArrayList<>();

        Import(String namespace) {
            this.namespace = namespace;
        }

        List<HasMetadata> run(LegacyNode config) {
            config.withKeys(TOP_KEYS);
            Community community = communities(config.field("bgp-communities"));
            config.field("bfd-profiles").items().forEach(this::bfdProfile);
            List<LegacyNode> peers = config.field("peers").items();
            for (int i = 0; i < peers.size(); i++) {
                peer(peers.get(i), "peer-" + (i + 1));
            }
            config.field("address-pools").items().forEach(this::pool);
            check(community);
            return List.copyOf(objects);
        }

        private Community communities(LegacyNode node) {
            Map<String, String> aliases = node.textMap();
            if (aliases.isEmpty()) {
                return null;
            }
            Community community = add(new Community(), COMMUNITY_NAME, node.key());
            community.setSpec(new CommunitySpec(aliases.entrySet().stream()
                    .map(e -> new CommunityAlias(e.getKey(), e.getValue())).toList()));
            return community;
        }

        private void bfdProfile(LegacyNode node) {
            node.withKeys(BFD_KEYS);
            BFDProfile profile = add(new BFDProfile(), node.field("name").requiredText(), node.key());
            profile.setSpec(new BFDProfileSpec(integer(node.field("receive-interval")),
                    integer(node.field("transmit-interval")), integer(node.field("detect-multiplier")),
                    integer(node.field("echo-interval")), node.field("echo-mode").bool(),
                    node.field("passive-mode").bool(), integer(node.field("minimum-ttl"))));
        }

        private void peer(LegacyNode node, String name) {
            node.withKeys(PEER_KEYS);
            SecretReference passwordSecret = null;
            String password = node.field("password").text();
            if (password != null && !password.isEmpty()) {
                Secret secret = new SecretBuilder().withMetadata(metadata(name + "-password"))
                        .withType("kubernetes.io/basic-auth")
                        .withStringData(Map.of(ConfigMapper.PASSWORD_KEY, password)).build();
                objects.add(0, secret);
                passwordSecret = new SecretReference(secret.getMetadata().getName(), namespace);
            }
            Long port = node.field("peer-port").number(1, 65535);
            BGPPeer peer = add(new BGPPeer(), name, node.key());
            peer.setSpec(new BGPPeerSpec(node.field("my-asn").requiredNumber(1, MAX_ASN),
                    node.field("peer-asn").requiredNumber(1, MAX_ASN), null, null,
                    node.field("peer-address").requiredText(), node.field("source-address").text(),
                    port == null ? null : port.intValue(), node.field("hold-time").text(),
                    node.field("keepalive-time").text(), null, node.field("router-id").text(),
                    selectors(node.field("node-selectors")), null, passwordSecret,
                    node.field("bfd-profile").text(), null, node.field("ebgp-multihop").bool(), null, null, null, null));
        }

        private void pool(LegacyNode node) {
            node.withKeys(POOL_KEYS);
            String name = node.field("name").requiredText();
            String protocol = node.field("protocol").requiredText();
            List<String> addresses = node.field("addresses").texts();
            IPAddressPool pool = add(new IPAddressPool(), name, node.key());
            pool.setSpec(new IPAddressPoolSpec(addresses, node.field("auto-assign").bool(),
                    node.field("avoid-buggy-ips").bool(), null));
            List<LegacyNode> advertisements = node.field("bgp-advertisements").items();
            switch (protocol) {
                case "layer2" -> {
                    if (!advertisements.isEmpty()) {
                        throw node.field("bgp-advertisements").error("only pools with protocol bgp have them");
                    }
                    add(new L2Advertisement(), name, node.key())
                            .setSpec(new L2AdvertisementSpec(List.of(name), null, null, null, null));
                }
                case "bgp" -> {
                    if (advertisements.isEmpty()) {  // MetalLB's default: each IP on its own, no communities
                        add(new BGPAdvertisement(), name, node.key())
                                .setSpec(new BGPAdvertisementSpec(null, null, null, null, List.of(name), null, null, null, null));
                    }
                    for (int i = 0; i < advertisements.size(); i++) {
                        LegacyNode advertisement = advertisements.get(i).withKeys(ADVERTISEMENT_KEYS);
                        String advertisementName = advertisements.size() == 1 ? name : name + "-" + (i + 1);
                        Long localPref = advertisement.field("localpref").number(0, MAX_ASN);
                        List<String> communities = advertisement.field("communities").texts();
                        add(new BGPAdvertisement(), advertisementName, advertisement.key())
                                .setSpec(new BGPAdvertisementSpec(integer(advertisement.field("aggregation-length")),
                                        integer(advertisement.field("aggregation-length-v6")), localPref,
                                        communities.isEmpty() ? null : communities, List.of(name), null, null, null, null));
                    }
                }
                default -> throw node.field("protocol").error("must be layer2 or bgp, not \"" + protocol + "\"");
            }
        }

        private List<LabelSelector> selectors(LegacyNode node) {
            List<LabelSelector> selectors = new ArrayList<>();
            for (LegacyNode selector : node.items()) {
                selector.withKeys(SELECTOR_KEYS);
                List<LabelSelectorRequirement> expressions = new ArrayList<>();
                for (LegacyNode expression : selector.field("match-expressions").items()) {
                    expression.withKeys(EXPRESSION_KEYS);
                    expressions.add(new LabelSelectorRequirement(expression.field("key").requiredText(),
                            expression.field("operator").requiredText(), expression.field("values").texts()));
                }
                Map<String, String> labels = selector.field("match-labels").textMap();
                selectors.add(new LabelSelector(expressions.isEmpty() ? null : expressions,
                        labels.isEmpty() ? null : labels));
            }
            return selectors.isEmpty() ? null : selectors;
        }

        private static Integer integer(LegacyNode node) {
            Long value = node.number(0, Integer.MAX_VALUE);
            return value == null ? null : value.intValue();
        }

        private <T extends CustomResource<?, ?>> T add(T resource, String name, String sourceKey) {
            resource.setMetadata(metadata(name));
            objects.add(resource);
            sources.add(new Source(resource, sourceKey));
            return resource;
        }

        private ObjectMeta metadata(String name) {
            return new ObjectMetaBuilder().withName(name).withNamespace(namespace).build();
        }

        /** The allocator's own checks, with the legacy key in front of what they find. */
        private void check(Community community) {
            List<Community> communities = community == null ? List.of() : List.of(community);
            sources.forEach(source -> {
                HasMetadata resource = source.resource();
                Runnable mapping;
                if (resource instanceof IPAddressPool pool) {
                    mapping = () -> ConfigMapper.pool(pool);
                } else if (resource instanceof L2Advertisement l2) {
                    mapping = () -> ConfigMapper.l2Advertisement(l2);
                } else if (resource instanceof BGPAdvertisement bgp) {
                    mapping = () -> ConfigMapper.bgpAdvertisement(bgp, communities);
                } else if (resource instanceof BGPPeer peer) {
                    mapping = () -> ConfigMapper.bgpPeer(peer);
                } else if (resource instanceof Community c) {
                    mapping = () -> ConfigMapper.community(c);
                } else {
                    mapping = () -> ConfigMapper.bfdProfile((BFDProfile) resource);
                }
                try {
                    mapping.run();
                } catch (InvalidConfigException e) {
                    throw new ConfigMapImportException(source.key(), "becomes an invalid " + e.getMessage());
                }
            });
        }
    }
}
